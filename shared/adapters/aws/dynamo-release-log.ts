/** Release webhook ids on the job table, each until its replay window ends (then the table's TTL removes it). */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '#shared/ports.ts';
import type { ReleaseLog } from '#shared/webhook-ports.ts';
import { mapAwsError } from './aws-errors.ts';
import { keys, TTL_ATTRIBUTE } from './dynamo-schema.ts';

export class DynamoReleaseLog implements ReleaseLog {
  readonly #table: { client: DynamoDBDocumentClient; tableName: string };
  readonly #clock: Clock;

  constructor(table: { client: DynamoDBDocumentClient; tableName: string }, clock: Clock) {
    this.#table = table;
    this.#clock = clock;
  }

  async seen(webhookId: string): Promise<boolean> {
    try {
      const { Item } = await this.#table.client.send(
        new GetCommand({ TableName: this.#table.tableName, Key: keys.release(webhookId) }),
      );
      // TTL deletion lags by hours: an item past its time counts as gone.
      return Item !== undefined && Number(Item[TTL_ATTRIBUTE]) * 1000 > this.#clock.now().getTime();
    } catch (error) {
      throw mapAwsError(error, `read release ${webhookId}`);
    }
  }

  async remember(webhookId: string, expiresAt: Date): Promise<void> {
    const Item = { ...keys.release(webhookId), [TTL_ATTRIBUTE]: Math.ceil(expiresAt.getTime() / 1000) };
    try {
      await this.#table.client.send(new PutCommand({ TableName: this.#table.tableName, Item }));
    } catch (error) {
      throw mapAwsError(error, `record release ${webhookId}`);
    }
  }
}
