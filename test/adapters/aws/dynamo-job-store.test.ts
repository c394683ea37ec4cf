import { randomUUID } from 'node:crypto';
import { brotliCompressSync, zstdDecompressSync } from 'node:zlib';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoClusterRegistry } from '#adapters/aws/dynamo-cluster-registry.ts';
import { lockItem } from '#adapters/aws/dynamo-job-index.ts';
import { jobItem } from '#adapters/aws/dynamo-job-item.ts';
import { keys } from '#adapters/aws/dynamo-schema.ts';
import { JOB_DICTIONARIES } from '#adapters/aws/job-dictionary.ts';
import { storedJob } from '#adapters/stored-job.ts';
import { newJob as queued } from '#domain/job-transitions.ts';
import { jobView } from '#shared/http/job-view.ts';
import type { IdempotencyRecord } from '#shared/ports.ts';
import { v0Records } from '#test/adapters/support/stored-jobs.ts';
import { testCatalog } from '#test/fakes/catalog.ts';
import { ended, jobAt, started } from '#test/fakes/jobs.ts';
import { useDynamoJobStore } from './support/job-store-fixture.ts';

const TABLE = 'upgrader-test';
const dynamo = useDynamoJobStore(TABLE);

let created = 0;
function newJob(cluster: string, options: { createdAt?: string; batchId?: string } = {}) {
  const at = options.createdAt ?? new Date(Date.UTC(2030, 0, 1, 0, 0, created++)).toISOString();
  return queued({
    id: randomUUID(),
    cluster,
    targetVersion: '4.2.0',
    at: new Date(at),
    ...(options.batchId ? { batchId: options.batchId } : {}),
  });
}

/** A fresh idempotency key living until `expiresAt` (by default a day after the jobs' times). */
function idempotency(fingerprint: string, expiresAt = '2030-01-02T00:00:00.000Z'): IdempotencyRecord {
  return { key: `key-${randomUUID()}`, fingerprint, expiresAt };
}

const lockHolder = async (cluster: string) =>
  (await dynamo.aws.clients.dynamo.send(new GetCommand({ TableName: TABLE, Key: keys.active(cluster) }))).Item
    ?.jobId;

const idempotencyItem = async (key: string) =>
  (await dynamo.aws.clients.dynamo.send(new GetCommand({ TableName: TABLE, Key: keys.idempotency(key) })))
    .Item;

describe('DynamoJobStore', () => {
  it('creates and reads back a job', async () => {
    const job = jobAt('checking-backup', {
      catalog: testCatalog(),
      cluster: 'c-read',
      from: '3.18.2',
      to: '4.0.3',
      at: new Date(Date.UTC(2030, 0, 1)),
      id: randomUUID(),
    });

    await dynamo.store.create(job);

    expect(await dynamo.store.get(job.id)).toEqual(job);
    expect(await dynamo.store.get('missing')).toBeUndefined();
  });

  it('lets exactly one of many concurrent creates for a cluster win', async () => {
    const jobs = Array.from({ length: 8 }, () => newJob('c-race'));

    const results = await Promise.allSettled(jobs.map((job) => dynamo.store.create(job)));

    const won = results.filter((result) => result.status === 'fulfilled');
    const lost = results.filter((result) => result.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((result) => (result as PromiseRejectedResult).reason.code)).toEqual(
      Array(7).fill('ACTIVE_JOB_EXISTS'),
    );
    expect(await dynamo.store.list({ cluster: 'c-race' })).toHaveLength(1);
    // A create refused by the lock takes its job item back.
    const losers = jobs.filter((_, i) => results[i]?.status === 'rejected');
    const items = await Promise.all(losers.map((job) => dynamo.store.get(job.id)));
    expect(items).toEqual(Array(7).fill(undefined));
  });

  it("after a crash between a create's job put and its lock put, lists nothing of it and lets the next job start", async () => {
    // Prepare: the job item as the create put it, no lock
    const orphan = newJob('c-half-created');
    await dynamo.aws.clients.dynamo.send(new PutCommand({ TableName: TABLE, Item: jobItem(orphan) }));
    // Act
    const listed = [
      ...(await dynamo.store.list({ cluster: 'c-half-created' })),
      ...(await dynamo.store.list({ state: 'queued' })),
      ...(await dynamo.store.list({})),
    ].map((job) => job.id);
    const { job: next } = await dynamo.store.create(newJob('c-half-created'));
    // Assess
    expect(listed).not.toContain(orphan.id);
    expect(await lockHolder('c-half-created')).toBe(next.id);
    expect((await dynamo.store.list({})).map((job) => job.id)).toContain(next.id);
  });

  it('creates a job once when a put is retried after its answer was lost', async () => {
    // Prepare: the job's put landed (a retry finds it), and for another job its lock's too
    const job = newJob('c-retried');
    const both = newJob('c-retried-both');
    await dynamo.aws.clients.dynamo.send(new PutCommand({ TableName: TABLE, Item: jobItem(job) }));
    await dynamo.aws.clients.dynamo.send(new PutCommand({ TableName: TABLE, Item: jobItem(both) }));
    await dynamo.aws.clients.dynamo.send(new PutCommand({ TableName: TABLE, Item: lockItem(both) }));
    // Act
    const created = await dynamo.store.create(job);
    const createdBoth = await dynamo.store.create(both);
    const otherWithSameId = await dynamo.store
      .create({ ...newJob('c-retried-other'), id: job.id })
      .catch((error: unknown) => error);
    // Assess
    expect(created).toEqual({ created: true, job });
    expect(createdBoth).toEqual({ created: true, job: both });
    expect(await lockHolder('c-retried')).toBe(job.id);
    expect(await lockHolder('c-retried-both')).toBe(both.id);
    expect(otherWithSameId).toMatchObject({ code: 'JOB_EXISTS' });
    expect(await lockHolder('c-retried-other')).toBeUndefined();
  });

  it('names the active job in the conflict', async () => {
    const first = newJob('c-named');
    await dynamo.store.create(first);

    const error = await dynamo.store.create(newJob('c-named')).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: 'ACTIVE_JOB_EXISTS', details: { activeJobId: first.id } });
  });

  it('returns the job and fingerprint of a live Idempotency-Key, even while the job is active', async () => {
    // Prepare
    const key = idempotency('first');
    const created = await dynamo.store.create(newJob('c-idem'), key);
    // Act
    const retried = await dynamo.store.create(newJob('c-idem'), { ...key, fingerprint: 'second' });
    // Assess
    expect(retried).toEqual({ created: false, job: created.job, fingerprint: 'first' });
  });

  it('keeps a key with a TTL, and treats an expired one TTL has not yet deleted as never used', async () => {
    // Prepare: the key expires at 01:00; DynamoDB may keep the item well past that
    const first = newJob('c-idem-expiry');
    const key = idempotency('first', '2030-01-01T01:00:00.000Z');
    await dynamo.store.create(first, key);
    await dynamo.store.update(ended(first, 'succeeded'), 1);
    const recorded = await idempotencyItem(key.key);
    // Act
    const later = newJob('c-idem-expiry', { createdAt: '2030-01-01T01:00:00.000Z' });
    const outcome = await dynamo.store.create(later, {
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
    await dynamo.store.create(job);
    await dynamo.aws.clients.dynamo.send(
      new PutCommand({
        TableName: TABLE,
        Item: { ...keys.idempotency(key.key), jobId: job.id, expiresAt: Date.parse(key.expiresAt) / 1000 },
      }),
    );
    // Act
    const outcome = await dynamo.store.create(newJob('c-idem-legacy'), key);
    // Assess
    expect(outcome).toEqual({ created: false, job, fingerprint: undefined });
  });

  it('moves a job only from the version it expects; a stale write is a ConflictError', async () => {
    const job = newJob('c-version');
    await dynamo.store.create(job);
    const validating = started(job);

    await dynamo.store.update(validating, 1);
    const stale = dynamo.store.update(ended(job, 'blocked'), 1);

    await expect(stale).rejects.toMatchObject({ code: 'STALE_VERSION' });
    expect((await dynamo.store.get(job.id))?.state).toBe('validating');
  });

  it('lets exactly one of two racing transitions from one version win', async () => {
    const job = newJob('c-twice');
    await dynamo.store.create(job);

    const results = await Promise.allSettled([
      dynamo.store.update(started(job), 1),
      dynamo.store.update(ended(job, 'cancelled'), 1),
    ]);

    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
  });

  it('releases the cluster when a job finishes, so the next job can start', async () => {
    const job = newJob('c-release');
    await dynamo.store.create(job);
    await expect(dynamo.store.create(newJob('c-release'))).rejects.toMatchObject({
      code: 'ACTIVE_JOB_EXISTS',
    });

    await dynamo.store.update(ended(job, 'succeeded'), 1);
    const { job: next } = await dynamo.store.create(newJob('c-release'));

    expect(next.cluster).toBe('c-release');
    const lock = await dynamo.aws.clients.dynamo.send(
      new GetCommand({ TableName: TABLE, Key: keys.active('c-release') }),
    );
    expect(lock.Item?.jobId).toBe(next.id);
  });

  it('after a crash between an end and its lock delete, shows the job ended and lets the next job start', async () => {
    // Prepare: the ended job written as the end writes it, the lock left where the crash left it
    const job = newJob('c-crash');
    await dynamo.store.create(job);
    const finished = ended(job, 'failed');
    await dynamo.aws.clients.dynamo.send(new PutCommand({ TableName: TABLE, Item: jobItem(finished) }));
    // Act
    const active = await dynamo.store.list({ state: 'queued' });
    const ofCluster = await dynamo.store.list({ cluster: 'c-crash' });
    const { job: next } = await dynamo.store.create(newJob('c-crash'));
    // Assess
    expect(active.map((each) => each.id)).not.toContain(job.id);
    expect(ofCluster.map((each) => [each.id, each.state])).toEqual([[job.id, 'failed']]);
    expect(await lockHolder('c-crash')).toBe(next.id);
    await expect(dynamo.store.create(newJob('c-crash'))).rejects.toMatchObject({
      code: 'ACTIVE_JOB_EXISTS',
      details: { activeJobId: next.id },
    });
  });

  it('ends a job whose lock another job holds without touching that lock', async () => {
    // Prepare: a job whose lock was released and taken by the next one (its end ran twice)
    const first = newJob('c-held');
    await dynamo.store.create(first);
    await dynamo.store.update(ended(first, 'cancelled'), 1);
    const second = newJob('c-held');
    await dynamo.store.create(second);
    // Act
    await dynamo.store.update({ ...ended(first, 'cancelled'), version: 3 }, 2);
    // Assess
    expect(await lockHolder('c-held')).toBe(second.id);
    expect((await dynamo.store.get(first.id))?.version).toBe(3);
  });

  it('lists jobs by cluster, by batch and by state, newest first', async () => {
    const a = newJob('c-list-a', { batchId: 'b-1' });
    const b = newJob('c-list-b', { batchId: 'b-1' });
    const c = newJob('c-list-c', { batchId: 'b-2' });
    for (const job of [a, b, c]) await dynamo.store.create(job);
    await dynamo.store.update(ended(b, 'blocked'), 1);

    const byBatch = await dynamo.store.list({ batchId: 'b-1' });
    const byCluster = await dynamo.store.list({ cluster: 'c-list-b' });
    const blocked = await dynamo.store.list({ state: 'blocked' });
    const limited = await dynamo.store.list({ batchId: 'b-1', limit: 1 });

    expect(byBatch.map((job) => job.id)).toEqual([b.id, a.id]);
    expect(byCluster.map((job) => job.state)).toEqual(['blocked']);
    expect(blocked.map((job) => job.id)).toContain(b.id);
    expect(blocked.every((job) => job.state === 'blocked')).toBe(true);
    expect(limited).toHaveLength(1);
  });

  it('reads items from before schema versions, shows them as that release did, and writes them back versioned', async () => {
    // Prepare: the items as that release's jobItem wrote them, the job as it was
    const records = v0Records.map((record) => {
      const stored = { ...record.stored, id: randomUUID(), cluster: `v0-${record.stored.cluster}` };
      return { ...record, stored, view: { ...record.view, id: stored.id, cluster: stored.cluster } };
    });
    for (const { stored } of records) {
      const item = {
        ...keys.job(stored.id),
        version: stored.version,
        job: stored,
        clusterKey: `CLUSTER#${stored.cluster}`,
        stateKey: `STATE#${stored.state}`,
        createdKey: `${stored.createdAt}#${stored.id}`,
      };
      await dynamo.aws.clients.dynamo.send(new PutCommand({ TableName: TABLE, Item: item }));
    }
    const mid = records.find((record) => record.name === 'verifying hop 2 with a cancel request')?.stored;
    if (!mid) throw new Error('no active fixture');
    // Act
    const read = await Promise.all(records.map(({ stored }) => dynamo.store.get(stored.id)));
    const listed = await dynamo.store.list({ cluster: mid.cluster });
    const active = read.find((job) => job?.id === mid.id);
    if (!active) throw new Error('the active job was not read');
    await dynamo.store.update(ended(active, 'cancelled'), active.version);
    // Assess
    expect(read.map((job) => job && JSON.parse(JSON.stringify(jobView(job))))).toEqual(
      records.map(({ view }) => view),
    );
    expect(listed.map((job) => job.id)).toEqual([mid.id]);
    const item = await dynamo.aws.clients.dynamo.send(
      new GetCommand({ TableName: TABLE, Key: keys.job(mid.id) }),
    );
    const dictionary = JOB_DICTIONARIES[item.Item?.dict as number];
    expect(
      JSON.parse(zstdDecompressSync(item.Item?.job as Uint8Array, { dictionary }).toString('utf8')),
    ).toMatchObject({
      schemaVersion: 1,
      state: 'cancelled',
    });
  });

  it('stores the job compressed, within one write unit, and refuses an item whose job is not compressed JSON', async () => {
    // Prepare
    const job = newJob('c-compressed');
    await dynamo.store.create(job);
    const broken = newJob('c-broken');
    await dynamo.aws.clients.dynamo.send(
      new PutCommand({ TableName: TABLE, Item: { ...jobItem(broken), job: new Uint8Array([1, 2, 3]) } }),
    );
    // Act
    const item = await dynamo.aws.clients.dynamo.send(
      new GetCommand({ TableName: TABLE, Key: keys.job(job.id) }),
    );
    const refused = await dynamo.store.get(broken.id).catch((error: unknown) => error);
    // Assess
    const stored = item.Item?.job as Uint8Array | undefined;
    expect(stored).toBeInstanceOf(Uint8Array);
    expect(stored?.byteLength).toBeLessThan(1024);
    expect(await dynamo.store.get(job.id)).toEqual(job);
    expect((refused as Error).message).toBe(`stored job ${broken.id} is not compressed JSON`);
  });

  it('reads a job the release before compressed with Brotli, and refuses one compressed with a dictionary it lacks', async () => {
    // Prepare: the first as that release's jobItem wrote it (no dictionary number); the second
    // as a newer release might
    const before = newJob('c-brotli');
    const newer = newJob('c-newer-dictionary');
    const { dict: _, ...brotliItem } = jobItem(before);
    await dynamo.aws.clients.dynamo.send(
      new PutCommand({
        TableName: TABLE,
        Item: { ...brotliItem, job: brotliCompressSync(JSON.stringify(storedJob(before))) },
      }),
    );
    await dynamo.aws.clients.dynamo.send(
      new PutCommand({ TableName: TABLE, Item: { ...jobItem(newer), dict: 99 } }),
    );
    // Act
    const read = await dynamo.store.get(before.id);
    const refused = await dynamo.store.get(newer.id).catch((error: unknown) => error);
    // Assess
    expect(read).toEqual(before);
    expect((refused as Error).message).toBe(
      `stored job ${newer.id} is compressed with dictionary 99, which this release does not have`,
    );
  });

  it('refuses a damaged item with an error naming the job and the field', async () => {
    // Prepare
    const job = newJob('c-damaged');
    await dynamo.store.create(job);
    await dynamo.aws.clients.dynamo.send(
      new PutCommand({
        TableName: TABLE,
        Item: { ...jobItem(job), job: { ...storedJob(job), expected: undefined } },
      }),
    );
    // Act / Assess
    const unreadable = `stored job ${job.id} (schema version 1) is unreadable: expected:`;
    await expect(dynamo.store.get(job.id)).rejects.toThrow(unreadable);
    await expect(dynamo.store.list({ cluster: 'c-damaged' })).rejects.toThrow(unreadable);
  });
});

describe('DynamoClusterRegistry', () => {
  it('puts, gets and lists cluster records', async () => {
    const registry = new DynamoClusterRegistry({ client: dynamo.aws.clients.dynamo, tableName: TABLE });
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
