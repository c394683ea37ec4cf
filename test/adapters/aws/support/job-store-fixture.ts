import { afterAll, beforeAll } from 'vitest';
import { DynamoJobStore } from '#adapters/aws/dynamo-job-store.ts';
import { type AwsEmulators, startAwsEmulators } from './emulators.ts';

export interface JobStoreFixture {
  aws: AwsEmulators;
  store: DynamoJobStore;
}

/** The emulators and a DynamoJobStore on table `table` for the file's tests, stopped after them. */
export function useDynamoJobStore(table: string): JobStoreFixture {
  const fixture = {} as JobStoreFixture;
  beforeAll(async () => {
    fixture.aws = await startAwsEmulators();
    await fixture.aws.createTable(table);
    fixture.store = new DynamoJobStore({ client: fixture.aws.clients.dynamo, tableName: table });
  });
  afterAll(() => fixture.aws.stop());
  return fixture;
}
