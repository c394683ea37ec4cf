import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoClusterRegistry } from '#adapters/aws/dynamo-cluster-registry.ts';
import { DynamoEventLog } from '#adapters/aws/dynamo-event-log.ts';
import { DynamoJobStore } from '#adapters/aws/dynamo-job-store.ts';
import { keys } from '#adapters/aws/dynamo-schema.ts';
import type { Job, JobState } from '#domain/job.ts';
import type { IdempotencyRecord } from '#shared/ports.ts';
import { type AwsEmulators, startAwsEmulators } from './support/emulators.ts';

const TABLE = 'upgrader-test';
let aws: AwsEmulators;
let store: DynamoJobStore;

beforeAll(async () => {
  aws = await startAwsEmulators();
  await aws.createTable(TABLE);
  store = new DynamoJobStore({ client: aws.clients.dynamo, tableName: TABLE });
});
afterAll(() => aws.stop());

let created = 0;
function newJob(cluster: string, overrides: Partial<Job> = {}): Job {
  const at = new Date(Date.UTC(2030, 0, 1, 0, 0, created++)).toISOString();
  return {
    id: randomUUID(),
    cluster,
    targetVersion: '4.2.0',
    hop: 0,
    state: 'queued',
    version: 1,
    options: {},
    attempts: {},
    transitions: [],
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

const moved = (job: Job, state: JobState): Job => ({ ...job, state, version: job.version + 1 });

/** A fresh idempotency key living until `expiresAt` (by default a day after the jobs' times). */
function idempotency(fingerprint: string, expiresAt = '2030-01-02T00:00:00.000Z'): IdempotencyRecord {
  return { key: `key-${randomUUID()}`, fingerprint, expiresAt };
}

const idempotencyItem = async (key: string) =>
  (await aws.clients.dynamo.send(new GetCommand({ TableName: TABLE, Key: keys.idempotency(key) }))).Item;

describe('DynamoJobStore', () => {
  it('creates and reads back a job', async () => {
    const job = newJob('c-read', { plan: [{ from: '3.18.0', to: '4.0.3' }] as Job['plan'] });

    await store.create(job);

    expect(await store.get(job.id)).toEqual(job);
    expect(await store.get('missing')).toBeUndefined();
  });

  it('lets exactly one of many concurrent creates for a cluster win', async () => {
    const jobs = Array.from({ length: 8 }, () => newJob('c-race'));

    const results = await Promise.allSettled(jobs.map((job) => store.create(job)));

    const won = results.filter((result) => result.status === 'fulfilled');
    const lost = results.filter((result) => result.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((result) => (result as PromiseRejectedResult).reason.code)).toEqual(
      Array(7).fill('ACTIVE_JOB_EXISTS'),
    );
    expect(await store.list({ cluster: 'c-race' })).toHaveLength(1);
  });

  it('names the active job in the conflict', async () => {
    const first = newJob('c-named');
    await store.create(first);

    const error = await store.create(newJob('c-named')).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: 'ACTIVE_JOB_EXISTS', details: { activeJobId: first.id } });
  });

  it('returns the job and fingerprint of a live Idempotency-Key, even while the job is active', async () => {
    // Prepare
    const key = idempotency('first');
    const created = await store.create(newJob('c-idem'), key);
    // Act
    const retried = await store.create(newJob('c-idem'), { ...key, fingerprint: 'second' });
    // Assess
    expect(retried).toEqual({ created: false, job: created.job, fingerprint: 'first' });
  });

  it('keeps a key with a TTL, and treats an expired one TTL has not yet deleted as never used', async () => {
    // Prepare: the key expires at 01:00; DynamoDB may keep the item well past that
    const first = newJob('c-idem-expiry');
    const key = idempotency('first', '2030-01-01T01:00:00.000Z');
    await store.create(first, key);
    await store.update(moved(first, 'succeeded'), 1);
    const recorded = await idempotencyItem(key.key);
    // Act
    const later = newJob('c-idem-expiry', { createdAt: '2030-01-01T01:00:00.000Z' });
    const outcome = await store.create(later, {
      ...key,
      fingerprint: 'second',
      expiresAt: '2030-01-02T01:00:00.000Z',
    });
    // Assess
    expect(recorded).toMatchObject({
      jobId: first.id,
      fingerprint: 'first',
      expiresAt: Date.parse(key.expiresAt) / 1000,
    });
    expect(outcome).toEqual({ created: true, job: later });
    expect(await idempotencyItem(key.key)).toMatchObject({ jobId: later.id, fingerprint: 'second' });
  });

  it('answers no fingerprint for a key recorded before fingerprints were kept', async () => {
    // Prepare: an item as the earlier release wrote it
    const job = newJob('c-idem-legacy');
    const key = idempotency('new');
    await store.create(job);
    await aws.clients.dynamo.send(
      new PutCommand({
        TableName: TABLE,
        Item: { ...keys.idempotency(key.key), jobId: job.id, expiresAt: Date.parse(key.expiresAt) / 1000 },
      }),
    );
    // Act
    const outcome = await store.create(newJob('c-idem-legacy'), key);
    // Assess
    expect(outcome).toEqual({ created: false, job, fingerprint: undefined });
  });

  it('moves a job only from the version it expects; a stale write is a ConflictError', async () => {
    const job = newJob('c-version');
    await store.create(job);
    const validating = moved(job, 'validating');

    await store.update(validating, 1);
    const stale = store.update(moved(job, 'blocked'), 1);

    await expect(stale).rejects.toMatchObject({ code: 'STALE_VERSION' });
    expect((await store.get(job.id))?.state).toBe('validating');
  });

  it('lets exactly one of two racing transitions from one version win', async () => {
    const job = newJob('c-twice');
    await store.create(job);

    const results = await Promise.allSettled([
      store.update(moved(job, 'validating'), 1),
      store.update(moved(job, 'cancelled'), 1),
    ]);

    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
  });

  it('releases the cluster when a job finishes, so the next job can start', async () => {
    const job = newJob('c-release');
    await store.create(job);
    await expect(store.create(newJob('c-release'))).rejects.toMatchObject({ code: 'ACTIVE_JOB_EXISTS' });

    await store.update(moved(job, 'succeeded'), 1);
    const { job: next } = await store.create(newJob('c-release'));

    expect(next.cluster).toBe('c-release');
    const lock = await aws.clients.dynamo.send(
      new GetCommand({ TableName: TABLE, Key: keys.active('c-release') }),
    );
    expect(lock.Item?.jobId).toBe(next.id);
  });

  it('lists jobs by cluster, by batch and by state, newest first', async () => {
    const a = newJob('c-list-a', { batchId: 'b-1' });
    const b = newJob('c-list-b', { batchId: 'b-1' });
    const c = newJob('c-list-c', { batchId: 'b-2' });
    for (const job of [a, b, c]) await store.create(job);
    await store.update(moved(b, 'blocked'), 1);

    const byBatch = await store.list({ batchId: 'b-1' });
    const byCluster = await store.list({ cluster: 'c-list-b' });
    const blocked = await store.list({ state: 'blocked' });
    const limited = await store.list({ batchId: 'b-1', limit: 1 });

    expect(byBatch.map((job) => job.id)).toEqual([b.id, a.id]);
    expect(byCluster.map((job) => job.state)).toEqual(['blocked']);
    expect(blocked.map((job) => job.id)).toContain(b.id);
    expect(blocked.every((job) => job.state === 'blocked')).toBe(true);
    expect(limited).toHaveLength(1);
  });
});

describe('DynamoClusterRegistry', () => {
  it('puts, gets and lists cluster records', async () => {
    const registry = new DynamoClusterRegistry({ client: aws.clients.dynamo, tableName: TABLE });
    const record = {
      name: 'region-1',
      kubeconfigSecretArn: 'arn:aws:secretsmanager:x',
      labels: { env: 'prod' },
    };

    await registry.put(record);
    await registry.put({ name: 'region-2', labels: {} });

    expect(await registry.get('region-1')).toEqual(record);
    expect((await registry.list()).map((cluster) => cluster.name).sort()).toEqual(['region-1', 'region-2']);
  });
});

describe('DynamoEventLog', () => {
  it('records events beside their job with a TTL, once per event id', async () => {
    const log = new DynamoEventLog({ client: aws.clients.dynamo, tableName: TABLE, retentionDays: 30 });
    const event = {
      id: 'ev-1',
      type: 'job.succeeded',
      occurredAt: '2030-01-01T00:00:00.000Z',
      data: { jobId: 'j-ev' },
    };

    await log.record(event);
    await log.record(event);

    expect(await log.forJob('j-ev')).toEqual([event]);
    const items = await aws.clients.dynamo.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'JOB#j-ev' },
      }),
    );
    expect(items.Items?.[0]?.expiresAt).toBe(Date.parse(event.occurredAt) / 1000 + 30 * 86_400);
  });
});
