/**
 * Telling a conditional write whose answer was lost from one that lost a race. DynamoDB can
 * commit a write and the answer never arrive (a 500 after the commit, a reset, a timeout); the
 * SDK then sends the same request again (three attempts, aws-client-config.ts), and that retry
 * fails its condition on the very item the first attempt left. Reported as a lost race, the
 * caller would drop work that was done: a stage acknowledges its message and never sends the
 * job's next one. So before a failed condition counts as a lost race, the item is read: the
 * write landed when the table holds the version it wrote and its content byte for byte (both
 * compressed alike, so the same record). A rival's record differs at least in its times or its
 * claim id.
 */
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE_KEYS } from './dynamo-schema.ts';

export interface Table {
  client: DynamoDBDocumentClient;
  tableName: string;
}

type Item = Record<string, unknown>;

/**
 * Whether `stored` is `written`: the same version and the same `content` (the attribute holding
 * the compressed record: `job`, `batch`). Index entries are not compared: a write may have put
 * back an item's own entries besides (dynamo-own-index.ts).
 */
export function holdsWrite(stored: Item | undefined, written: Item, content: string): boolean {
  const bytes = stored?.[content];
  return (
    stored?.version === written.version &&
    bytes instanceof Uint8Array &&
    Buffer.from(bytes).equals(written[content] as Uint8Array)
  );
}

/** Whether the table holds `written` as it is, by a consistent read of its key. */
export async function isWritten(table: Table, written: Item, content: string): Promise<boolean> {
  const key = {
    [TABLE_KEYS.partition]: written[TABLE_KEYS.partition],
    [TABLE_KEYS.sort]: written[TABLE_KEYS.sort],
  };
  const found = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }),
  );
  return holdsWrite(found.Item, written, content);
}
