import { randomUUID } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '#adapters/aws/dynamo-schema.ts';
import { DynamoWaitHistory } from '#adapters/aws/dynamo-wait-history.ts';
import { waitHistoryContract, waitRecord } from '#test/adapters/support/wait-history-contract.ts';
import { type AwsEmulators, startAwsEmulators } from './support/emulators.ts';

let aws: AwsEmulators;

beforeAll(async () => {
  aws = await startAwsEmulators();
});
afterAll(() => aws.stop());

// A table per test: the contract reads every record of its history.
async function history() {
  const tableName = `waits-${randomUUID()}`;
  await aws.createTable(tableName);
  return { tableName, history: new DynamoWaitHistory({ client: aws.clients.dynamo, tableName }) };
}

describe('DynamoWaitHistory', () => {
  waitHistoryContract(async () => (await history()).history);

  it('keeps every slot as an attribute of the one documented item', async () => {
    // Prepare
    const { tableName, history: waits } = await history();
    // Act
    await waits.record(4, waitRecord(30));
    await waits.record(11, waitRecord(40));
    // Assess
    const { Item } = await aws.clients.dynamo.send(
      new GetCommand({ TableName: tableName, Key: keys.waitHistory() }),
    );
    expect(Item).toEqual({ ...keys.waitHistory(), slot4: waitRecord(30), slot11: waitRecord(40) });
  });

  it('ignores a malformed slot and reads the others', async () => {
    // Prepare
    const { tableName, history: waits } = await history();
    await waits.record(1, waitRecord(30));
    await aws.clients.dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.waitHistory(),
        UpdateExpression: 'SET slot2 = :broken, slot3 = :unknownStage, slot5 = :text',
        ExpressionAttributeValues: {
          ':broken': { seconds: { verify: 'ten' }, at: '2026-03-01T12:00:00.000Z' },
          ':unknownStage': { seconds: { 'no-such-stage': 5 }, at: '2026-03-01T12:00:00.000Z' },
          ':text': 'not a record',
        },
      }),
    );
    // Act
    const records = await waits.recent();
    // Assess
    expect(records).toEqual([waitRecord(30)]);
  });
});
