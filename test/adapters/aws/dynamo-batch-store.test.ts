import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchItem, DynamoBatchStore } from '#adapters/aws/dynamo-batch-store.ts';
import { BATCH_LIST_PARTITION, JOB_INDEXES, keys } from '#adapters/aws/dynamo-schema.ts';
import { batchStoreContract } from '#test/adapters/support/batch-store-contract.ts';
import { startedBatch, testBatch } from '#test/fakes/batches.ts';
import { type AwsEmulators, startAwsEmulators } from './support/emulators.ts';

let aws: AwsEmulators;

beforeAll(async () => {
  aws = await startAwsEmulators();
});
afterAll(() => aws.stop());

describe('DynamoBatchStore', () => {
  // A table per test: the contract lists every batch of its store.
  batchStoreContract(async () => {
    const tableName = `batches-${randomUUID()}`;
    await aws.createTable(tableName);
    return new DynamoBatchStore({ client: aws.clients.dynamo, tableName });
  });
});

describe('DynamoBatchStore listing', () => {
  const listed = JOB_INDEXES.byState.partition;
  async function store() {
    const tableName = `batches-${randomUUID()}`;
    await aws.createTable(tableName);
    const item = async (key: Record<string, string>) =>
      (await aws.clients.dynamo.send(new GetCommand({ TableName: tableName, Key: key }))).Item;
    return { tableName, item, store: new DynamoBatchStore({ client: aws.clients.dynamo, tableName }) };
  }

  it('lists a batch by a listing item put with it, so the batch item its decisions rewrite is in no index', async () => {
    // Prepare
    const { store: batches, item } = await store();
    const batch = testBatch('b1');
    // Act
    await batches.create(batch);
    const decision = startedBatch(batch);
    await batches.update(decision.batch, batch.version, decision.events);
    // Assess
    expect((await item(keys.batch('b1')))?.[listed]).toBeUndefined();
    expect((await item(keys.batchListing('b1')))?.[listed]).toBe(BATCH_LIST_PARTITION);
    expect((await batches.list({})).map((found) => [found.id, found.version])).toEqual([
      ['b1', decision.batch.version],
    ]);
    expect((await batches.list({ state: decision.batch.state })).map((found) => found.id)).toEqual(['b1']);
  });

  it('keeps a batch written before listing items listed, and still refuses a stale write', async () => {
    // Prepare: the batch item indexed itself, as the earlier layout wrote it, and no listing item
    const { store: batches, tableName } = await store();
    const batch = testBatch('b-old');
    const Item = {
      ...batchItem(batch),
      [listed]: BATCH_LIST_PARTITION,
      [JOB_INDEXES.byState.sort]: `${batch.createdAt}#${batch.id}`,
    };
    await aws.clients.dynamo.send(new PutCommand({ TableName: tableName, Item }));
    const decision = startedBatch(batch);
    // Act
    await batches.update(decision.batch, batch.version, decision.events);
    // Another decision from the same version (the same write again would be a retry whose
    // answer was lost, and done)
    const rival = { ...decision.batch, reason: 'a rival decision' };
    const stale = await batches.update(rival, batch.version).catch((error: unknown) => error);
    // Assess
    expect((await batches.list({})).map((found) => [found.id, found.version])).toEqual([
      ['b-old', decision.batch.version],
    ]);
    expect((await batches.events('b-old')).length).toBe(decision.events.length);
    expect(stale).toMatchObject({ code: 'STALE_VERSION' });
  });
});
