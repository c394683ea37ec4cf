import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import { DynamoBatchStore } from '#adapters/aws/dynamo-batch-store.ts';
import { batchStoreContract } from '#test/adapters/support/batch-store-contract.ts';
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
