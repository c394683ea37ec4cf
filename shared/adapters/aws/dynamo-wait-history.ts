/**
 * What earlier upgrades took per stage (#domain/wait-history.ts) as one item on the job table, one
 * attribute per slot: a record is a blind write of one attribute, so concurrent jobs writing other
 * slots never overwrite each other, and reading every slot is one GetItem. A write bills the
 * whole item, about 2.5 KB when every slot is used: 3 write units (bench/cost-model.ts counts
 * them); a read, half a unit.
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { STAGE_NAMES } from '#domain/job.ts';
import { checkSlot, HISTORY_SLOTS, type WaitRecord } from '#domain/wait-history.ts';
import type { WaitHistory } from '#shared/ports.ts';
import { mapAwsError } from './aws-errors.ts';
import { keys } from './dynamo-schema.ts';

const waitRecordSchema = z.object({
  seconds: z.partialRecord(z.enum(STAGE_NAMES), z.number().int().min(0)),
  at: z.iso.datetime(),
});

export const slotAttribute = (slot: number) => `slot${slot}`;

export class DynamoWaitHistory implements WaitHistory {
  readonly #table: { client: DynamoDBDocumentClient; tableName: string };

  constructor(table: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#table = table;
  }

  async recent(): Promise<WaitRecord[]> {
    let item: Record<string, unknown> | undefined;
    try {
      // Eventually consistent: a record a moment late only leaves an estimate a moment older.
      ({ Item: item } = await this.#table.client.send(
        new GetCommand({ TableName: this.#table.tableName, Key: keys.waitHistory() }),
      ));
    } catch (error) {
      throw mapAwsError(error, 'read wait history');
    }
    const records: WaitRecord[] = [];
    // A malformed slot is skipped, not fatal: the history only sets an estimate, and the next
    // job hashing to that slot overwrites it.
    for (let slot = 0; slot < HISTORY_SLOTS; slot++) {
      const parsed = waitRecordSchema.safeParse(item?.[slotAttribute(slot)]);
      if (parsed.success) records.push(parsed.data);
    }
    return records;
  }

  async record(slot: number, record: WaitRecord): Promise<void> {
    checkSlot(slot);
    try {
      await this.#table.client.send(
        new UpdateCommand({
          TableName: this.#table.tableName,
          Key: keys.waitHistory(),
          UpdateExpression: 'SET #slot = :record',
          ExpressionAttributeNames: { '#slot': slotAttribute(slot) },
          ExpressionAttributeValues: { ':record': { seconds: record.seconds, at: record.at } },
        }),
      );
    } catch (error) {
      throw mapAwsError(error, `record wait history slot ${slot}`);
    }
  }
}
