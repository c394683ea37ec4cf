/**
 * Updates whose answer DynamoDB lost after committing them (a 500, a reset, a timeout): the SDK
 * retries them (three attempts, aws-client-config.ts) and the retry fails its version condition
 * on the item the first attempt wrote. The store must report such an update as done, not as a
 * lost race: a step that lost a race acknowledges its message without sending the next one, and
 * the job would be left active with no message. A rival's write is still a lost race.
 */
import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchItem, DynamoBatchStore } from '#adapters/aws/dynamo-batch-store.ts';
import { makeDynamoClient } from '#adapters/aws/dynamo-client.ts';
import { itemIndexBeforeLocks } from '#adapters/aws/dynamo-job-index.ts';
import { jobItem } from '#adapters/aws/dynamo-job-item.ts';
import { DynamoJobStore } from '#adapters/aws/dynamo-job-store.ts';
import { BATCH_LIST_PARTITION, JOB_INDEXES, keys } from '#adapters/aws/dynamo-schema.ts';
import { newJob } from '#domain/job-transitions.ts';
import { startedBatch, testBatch } from '#test/fakes/batches.ts';
import { ended, started } from '#test/fakes/jobs.ts';
import { type AwsEmulators, startAwsEmulators, TEST_CREDENTIALS, TEST_REGION } from './support/emulators.ts';
import { type LostAnswerProxy, type WriteOperation, withLostAnswers } from './support/lost-answer-proxy.ts';

const TABLE = 'upgrader-lost-answers';
let aws: AwsEmulators;
let proxy: LostAnswerProxy;
/** The production client config (three attempts), talking to the table through the proxy. */
let client: DynamoDBDocumentClient;
let jobs: DynamoJobStore;
let batches: DynamoBatchStore;

beforeAll(async () => {
  aws = await startAwsEmulators();
  await aws.createTable(TABLE);
  proxy = await withLostAnswers(aws.endpoints.dynamodb);
  client = makeDynamoClient({
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
    endpoints: { dynamodb: proxy.endpoint },
  });
  jobs = new DynamoJobStore({ client, tableName: TABLE });
  batches = new DynamoBatchStore({ client, tableName: TABLE });
});
afterAll(async () => {
  client.destroy();
  await proxy.close();
  await aws.stop();
});

const item = async (key: Record<string, string>) =>
  (await aws.clients.dynamo.send(new GetCommand({ TableName: TABLE, Key: key, ConsistentRead: true }))).Item;

async function createdJob(cluster: string) {
  const job = newJob({
    id: randomUUID(),
    cluster,
    targetVersion: '4.2.0',
    at: new Date('2030-01-01T00:00:00Z'),
  });
  await jobs.create(job);
  return job;
}

async function createdBatch() {
  const batch = testBatch(`b-${randomUUID()}`);
  await batches.create(batch);
  return batch;
}

/**
 * What `write` comes to when the answer to its `operation` request (or the one `after` more
 * later) is lost: undefined when it resolves, else its error. It fails unless an answer was lost.
 */
async function withAnswerLost(operation: WriteOperation, write: () => Promise<void>, after = 0) {
  const lostBefore = proxy.lost;
  proxy.arm(operation, after);
  const outcome = await write().catch((error: unknown) => error);
  expect(proxy.lost).toBe(lostBefore + 1);
  return outcome;
}

describe('DynamoJobStore update whose answer was lost', () => {
  it('reports an active transition that landed as done, the job at the version it wrote', async () => {
    // Prepare
    const job = await createdJob('c-lost-active');
    const next = started(job);
    // Act
    const outcome = await withAnswerLost('PutItem', () => jobs.update(next, job.version));
    // Assess
    expect(outcome).toBeUndefined();
    expect(await jobs.get(job.id)).toEqual(next);
  });

  it('reports an end that landed as done and still releases the cluster', async () => {
    // Prepare
    const job = await createdJob('c-lost-end');
    const next = ended(job, 'cancelled');
    // Act
    const outcome = await withAnswerLost('PutItem', () => jobs.update(next, job.version));
    // Assess
    expect(outcome).toBeUndefined();
    expect(await jobs.get(job.id)).toEqual(next);
    expect(await item(keys.active(job.cluster))).toBeUndefined();
  });

  it('reports as done the write that puts back the own index entries of a job written before locks', async () => {
    // Prepare: the job item indexed itself, as the earlier layout wrote it; its first put is
    // refused for that, the second (with its entries) lands and its answer is lost
    const job = newJob({ id: randomUUID(), cluster: 'c-lost-old', targetVersion: '4.2.0', at: new Date(0) });
    const { pk, sk, version, job: blob } = jobItem(job);
    const Item = { pk, sk, version, job: blob, ...itemIndexBeforeLocks(job) };
    await aws.clients.dynamo.send(new PutCommand({ TableName: TABLE, Item }));
    const next = started(job);
    // Act
    const outcome = await withAnswerLost('PutItem', () => jobs.update(next, job.version), 1);
    // Assess
    expect(outcome).toBeUndefined();
    expect(await jobs.get(job.id)).toEqual(next);
    expect((await item(keys.job(job.id)))?.[JOB_INDEXES.byCluster.partition]).toBeDefined();
  });

  it('still refuses an update from a version a rival moved on to other content', async () => {
    // Prepare: the rival wrote the same next version as ours, with other content
    const job = await createdJob('c-rival');
    const rival = started(job, new Date('2030-01-01T00:00:01Z'));
    await jobs.update(rival, job.version);
    // Act
    const active = await jobs.update(started(job), job.version).catch((error: unknown) => error);
    const end = await jobs.update(ended(job, 'cancelled'), job.version).catch((error: unknown) => error);
    // Assess
    expect(active).toMatchObject({ code: 'STALE_VERSION' });
    expect(end).toMatchObject({ code: 'STALE_VERSION' });
    expect(await jobs.get(job.id)).toEqual(rival);
    expect((await item(keys.active(job.cluster)))?.jobId).toBe(job.id);
  });
});

describe('DynamoBatchStore update whose answer was lost', () => {
  it('reports a decision and its events that landed as done, each event recorded once', async () => {
    // Prepare
    const batch = await createdBatch();
    const decision = startedBatch(batch);
    // Act
    const outcome = await withAnswerLost('TransactWriteItems', () =>
      batches.update(decision.batch, batch.version, decision.events),
    );
    // Assess
    expect(outcome).toBeUndefined();
    expect(await batches.get(batch.id)).toEqual(decision.batch);
    expect(await batches.events(batch.id)).toEqual(decision.events);
  });

  it('reports a decision without events that landed as done', async () => {
    // Prepare
    const batch = await createdBatch();
    const { batch: next } = startedBatch(batch);
    // Act
    const outcome = await withAnswerLost('PutItem', () => batches.update(next, batch.version));
    // Assess
    expect(outcome).toBeUndefined();
    expect(await batches.get(batch.id)).toEqual(next);
  });

  it('reports as done the write that keeps a batch written before listing items listed', async () => {
    // Prepare: the batch item indexed itself, as the earlier layout wrote it; the first write is
    // refused for that, the second (with its entries) lands and its answer is lost
    const batch = testBatch(`b-${randomUUID()}`);
    const listed = { [JOB_INDEXES.byState.partition]: BATCH_LIST_PARTITION, [JOB_INDEXES.byState.sort]: 'x' };
    await aws.clients.dynamo.send(
      new PutCommand({ TableName: TABLE, Item: { ...batchItem(batch), ...listed } }),
    );
    const decision = startedBatch(batch);
    // Act
    const outcome = await withAnswerLost(
      'TransactWriteItems',
      () => batches.update(decision.batch, batch.version, decision.events),
      1,
    );
    // Assess
    expect(outcome).toBeUndefined();
    expect(await batches.get(batch.id)).toEqual(decision.batch);
    expect(await batches.events(batch.id)).toEqual(decision.events);
    expect((await item(keys.batch(batch.id)))?.[JOB_INDEXES.byState.partition]).toBe(BATCH_LIST_PARTITION);
  });

  it('still refuses a decision from a version a rival moved on to other content', async () => {
    // Prepare: the rival wrote the same next version as ours, with another reason
    const batch = await createdBatch();
    const decision = startedBatch(batch);
    const rival = { ...decision.batch, reason: 'a rival decision' };
    await batches.update(rival, batch.version);
    // Act
    const withEvents = await batches
      .update(decision.batch, batch.version, decision.events)
      .catch((error: unknown) => error);
    const alone = await batches.update(decision.batch, batch.version).catch((error: unknown) => error);
    // Assess
    expect(withEvents).toMatchObject({ code: 'STALE_VERSION' });
    expect(alone).toMatchObject({ code: 'STALE_VERSION' });
    expect(await batches.get(batch.id)).toEqual(rival);
    expect(await batches.events(batch.id)).toEqual([]);
  });
});
