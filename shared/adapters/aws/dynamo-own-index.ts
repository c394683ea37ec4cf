/**
 * Writes of an item that its store keeps out of the indexes, listing it by another item instead:
 * an active job by its cluster's lock (dynamo-job-index.ts), a batch by its listing item
 * (dynamo-batch-store.ts). An item written before that is in the indexes itself and must stay
 * there, or it would drop out of every list. So the write is conditional on the item not being
 * indexed, and when it fails on that, the item is read once and written again with its own index
 * entries. The same read tells a retried write whose first attempt landed (its answer lost) from
 * a lost race (dynamo-written.ts).
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { firstConditionFailed } from './aws-errors.ts';
import { holdsWrite } from './dynamo-written.ts';

export interface OwnIndex {
  key: Record<string, string>;
  /** The version the put is conditional on (`version = :expected`). */
  expectedVersion: number;
  /** An attribute only an item indexed itself carries. */
  attribute: string;
  /** The item's own index entries, written back when it has them. */
  entries: Record<string, string>;
  /** The attribute holding the item's compressed record, compared to tell a landed write. */
  content: string;
}

export async function putUnlessIndexedItself(
  client: DynamoDBDocumentClient,
  put: PutCommandInput & { ConditionExpression: string; Item: NonNullable<PutCommandInput['Item']> },
  own: OwnIndex,
  write: (put: PutCommandInput) => Promise<unknown> = (input) => client.send(new PutCommand(input)),
): Promise<void> {
  try {
    await write({
      ...put,
      ConditionExpression: `${put.ConditionExpression} AND attribute_not_exists(#indexed)`,
      ExpressionAttributeNames: { ...put.ExpressionAttributeNames, '#indexed': own.attribute },
    });
  } catch (error) {
    if (!firstConditionFailed(error)) throw error;
    const read = async () =>
      (await client.send(new GetCommand({ TableName: put.TableName, Key: own.key, ConsistentRead: true })))
        .Item;
    const current = await read();
    if (holdsWrite(current, put.Item, own.content)) return;
    if (current?.version !== own.expectedVersion || current[own.attribute] === undefined) throw error;
    await write({ ...put, Item: { ...put.Item, ...own.entries } }).catch(async (again: unknown) => {
      // This write's answer can be lost too, and its retry fail on the item it wrote.
      if (!firstConditionFailed(again) || !holdsWrite(await read(), put.Item, own.content)) throw again;
    });
  }
}
