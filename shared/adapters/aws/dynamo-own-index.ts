/**
 * Writes of an item that its store keeps out of the indexes, listing it by another item instead:
 * an active job by its cluster's lock (dynamo-job-index.ts), a batch by its listing item
 * (dynamo-batch-store.ts). An item written before that is in the indexes itself and must stay
 * there, or it would drop out of every list. So the write is conditional on the item not being
 * indexed, and when it fails on that, the item is read once and written again with its own index
 * entries. This is the one read after a write in the stores.
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { firstConditionFailed } from './aws-errors.ts';

export interface OwnIndex {
  key: Record<string, string>;
  /** The version the put is conditional on (`version = :expected`). */
  expectedVersion: number;
  /** An attribute only an item indexed itself carries. */
  attribute: string;
  /** The item's own index entries, written back when it has them. */
  entries: Record<string, string>;
}

export async function putUnlessIndexedItself(
  client: DynamoDBDocumentClient,
  put: PutCommandInput & { ConditionExpression: string },
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
    const { Item: current } = await client.send(
      new GetCommand({ TableName: put.TableName, Key: own.key, ConsistentRead: true }),
    );
    if (current?.version !== own.expectedVersion || current[own.attribute] === undefined) throw error;
    await write({ ...put, Item: { ...put.Item, ...own.entries } });
  }
}
