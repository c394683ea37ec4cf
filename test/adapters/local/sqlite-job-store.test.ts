import type { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '#adapters/local/sqlite-database.ts';
import { SqliteJobStore } from '#adapters/local/sqlite-job-store.ts';
import { ConflictError, ValidationError } from '#domain/errors.ts';
import { jobView } from '#shared/http/job-view.ts';
import type { IdempotencyRecord } from '#shared/ports.ts';
import { type StoredV0, v0Record, v0Records } from '#test/adapters/support/stored-jobs.ts';
import { ended, started } from '#test/fakes/jobs.ts';
import { queuedJob } from './support/jobs.ts';
import { useTempDirs } from './support/temp-dir.ts';

const tempDir = useTempDirs();
const open: DatabaseSync[] = [];

afterEach(() => {
  for (const db of open.splice(0)) if (db.isOpen) db.close();
});

async function store(dir?: string): Promise<{ dir: string; jobs: SqliteJobStore }> {
  const where = dir ?? (await tempDir());
  const db = openDatabase(where);
  open.push(db);
  return { dir: where, jobs: new SqliteJobStore(db) };
}

/** `minutes` past 2025-01-01T00:00Z, as an ISO time. */
const at = (minutes: number) => new Date(Date.UTC(2025, 0, 1, 0, minutes)).toISOString();

const FINGERPRINT = 'f'.repeat(64);

/** An idempotency record living until `expiresAt` (by default a day after 2025-01-01). */
function key(name: string, fingerprint = FINGERPRINT, expiresAt = at(24 * 60)): IdempotencyRecord {
  return { key: name, fingerprint, expiresAt };
}

describe('SqliteJobStore', () => {
  it('stores and returns a job whole', async () => {
    const { jobs } = await store();
    const job = queuedJob({ options: { takeBackup: true }, callbackUrl: 'https://hooks.example/x' });

    const created = await jobs.create(job);
    const read = await jobs.get(job.id);

    expect(created).toEqual({ created: true, job });
    expect(read).toEqual(job);
    expect(await jobs.get('missing')).toBeUndefined();
  });

  it('applies an update only on the version the writer read', async () => {
    const { jobs } = await store();
    const { job } = await jobs.create(queuedJob());
    const writerA = started(job);
    const writerB = ended(job, 'cancelled');

    await jobs.update(writerA, job.version);
    const lost = jobs.update(writerB, job.version);

    await expect(lost).rejects.toBeInstanceOf(ConflictError);
    await expect(lost).rejects.toMatchObject({ code: 'STALE_VERSION', details: { actualVersion: 2 } });
    expect(await jobs.get(job.id)).toMatchObject({ state: 'validating', version: 2 });
  });

  it('refuses an update that does not advance the version, and one for a job that does not exist', async () => {
    const { jobs } = await store();
    const { job } = await jobs.create(queuedJob());

    await expect(
      jobs.update({ ...ended(job, 'failed'), version: job.version }, job.version),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(jobs.update(started(queuedJob()), 1)).rejects.toBeInstanceOf(ConflictError);
  });

  it('refuses a second active job for a cluster until the first one ends', async () => {
    const { jobs } = await store();
    const { job: first } = await jobs.create(queuedJob({ cluster: 'region1' }));

    const second = jobs.create(queuedJob({ cluster: 'region1' }));
    await expect(second).rejects.toMatchObject({
      code: 'ACTIVE_JOB_EXISTS',
      details: { cluster: 'region1', activeJobId: first.id },
    });
    await jobs.update(ended(first, 'succeeded'), first.version);
    const { job: third } = await jobs.create(queuedJob({ cluster: 'region1' }));
    const { job: otherCluster } = await jobs.create(queuedJob({ cluster: 'region2' }));

    expect(third.cluster).toBe('region1');
    expect(otherCluster.cluster).toBe('region2');
  });

  it('lets exactly one of many truly concurrent creates for one cluster win', async () => {
    const { dir } = await store();
    const contenders = 6;
    const barrier = new SharedArrayBuffer(8);
    const gate = new Int32Array(barrier);
    const workerUrl = new URL('./support/create-job-worker.ts', import.meta.url);
    const results = Array.from({ length: contenders }, () => {
      const worker = new Worker(workerUrl, {
        workerData: { dir, job: queuedJob({ cluster: 'raced' }), barrier },
      });
      return new Promise<{ ok: boolean; code?: string }>((resolve, reject) => {
        worker.once('message', (result) => {
          resolve(result);
          void worker.terminate();
        });
        worker.once('error', reject);
      });
    });
    while (Atomics.load(gate, 0) < contenders) await new Promise((resolve) => setTimeout(resolve, 5));

    Atomics.store(gate, 1, 1);
    Atomics.notify(gate, 1);
    const outcomes = await Promise.all(results);

    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ok).map((o) => o.code)).toEqual(
      Array(contenders - 1).fill('ACTIVE_JOB_EXISTS'),
    );
  });

  it('returns the job and fingerprint of a live idempotency key instead of creating another', async () => {
    // Prepare
    const { jobs } = await store();
    const { job: original } = await jobs.create(
      queuedJob({ cluster: 'region1', createdAt: at(0) }),
      key('key-1'),
    );
    await jobs.update(ended(original, 'succeeded'), original.version);
    // Act
    const retry = await jobs.create(
      queuedJob({ cluster: 'region1', createdAt: at(30) }),
      key('key-1', 'other'),
    );
    const fresh = await jobs.create(queuedJob({ cluster: 'region1', createdAt: at(31) }), key('key-2'));
    // Assess
    expect(retry).toEqual({
      created: false,
      job: expect.objectContaining({ id: original.id, state: 'succeeded' }),
      fingerprint: FINGERPRINT,
    });
    expect(fresh.created).toBe(true);
    expect(await jobs.list({ cluster: 'region1' })).toHaveLength(2);
  });

  it('treats an expired idempotency key as never used, and replaces its record', async () => {
    // Prepare: key-1 lives until minute 60
    const { jobs } = await store();
    const { job: first } = await jobs.create(queuedJob({ createdAt: at(0) }), key('key-1', 'first', at(60)));
    await jobs.update(ended(first, 'succeeded'), first.version);
    // Act
    const second = await jobs.create(queuedJob({ createdAt: at(60) }), key('key-1', 'second', at(120)));
    const retry = await jobs.create(queuedJob({ createdAt: at(61) }), key('key-1', 'third', at(121)));
    // Assess
    expect(second.created).toBe(true);
    expect(retry).toEqual({ created: false, job: second.job, fingerprint: 'second' });
  });

  it('does not record an idempotency key when the create is refused', async () => {
    const { jobs } = await store();
    await jobs.create(queuedJob({ cluster: 'region1' }));

    await expect(jobs.create(queuedJob({ cluster: 'region1' }), key('key-x'))).rejects.toBeInstanceOf(
      ConflictError,
    );
    const later = await jobs.create(queuedJob({ cluster: 'region2' }), key('key-x'));

    expect(later).toMatchObject({ created: true, job: { cluster: 'region2' } });
  });

  it('migrates the idempotency keys of an earlier release, keeping each for a day from its use', async () => {
    // Prepare: a database as the release before fingerprints and expiry left it, with its job shape
    const dir = await tempDir();
    const legacy = openDatabase(dir);
    const original = queuedJob({ createdAt: at(0) });
    legacy.exec(`
      CREATE TABLE jobs (id TEXT PRIMARY KEY, cluster TEXT NOT NULL, state TEXT NOT NULL, batch_id TEXT,
        version INTEGER NOT NULL, created_at TEXT NOT NULL, data TEXT NOT NULL) STRICT;
      CREATE TABLE idempotency_keys (key TEXT PRIMARY KEY, job_id TEXT NOT NULL REFERENCES jobs (id),
        created_at TEXT NOT NULL) STRICT;`);
    legacy
      .prepare('INSERT INTO jobs VALUES (?, ?, ?, NULL, 1, ?, ?)')
      .run(
        original.id,
        original.cluster,
        'succeeded',
        original.createdAt,
        JSON.stringify({ ...original, attempts: {} }),
      );
    legacy
      .prepare('INSERT INTO idempotency_keys VALUES (?, ?, ?)')
      .run('old-key', original.id, original.createdAt);
    legacy.close();
    // Act
    const { jobs } = await store(dir);
    const { jobs: reopened } = await store(dir);
    const withinADay = await jobs.create(queuedJob({ createdAt: at(23 * 60) }), key('old-key'));
    const afterADay = await reopened.create(queuedJob({ createdAt: at(24 * 60) }), key('old-key'));
    // Assess
    expect(withinADay).toEqual({ created: false, job: original, fingerprint: undefined });
    expect(afterADay.created).toBe(true);
  });

  it('lists newest first, filtered by cluster, state and batch, with a limit', async () => {
    const { jobs } = await store();
    const { job: a } = await jobs.create(queuedJob({ cluster: 'a', createdAt: at(1), batchId: 'b1' }));
    await jobs.update(ended(a, 'failed'), a.version);
    await jobs.create(queuedJob({ cluster: 'a', createdAt: at(2) }));
    await jobs.create(queuedJob({ cluster: 'b', createdAt: at(3), batchId: 'b1' }));
    await jobs.create(queuedJob({ cluster: 'c', createdAt: at(4) }));

    const all = await jobs.list({});
    const ofA = await jobs.list({ cluster: 'a' });
    const queuedOfA = await jobs.list({ cluster: 'a', state: 'queued' });
    const ofBatch = await jobs.list({ batchId: 'b1' });
    const limited = await jobs.list({ limit: 2 });

    expect(all.map((j) => j.cluster)).toEqual(['c', 'b', 'a', 'a']);
    expect(ofA.map((j) => j.createdAt)).toEqual([at(2), at(1)]);
    expect(queuedOfA.map((j) => j.createdAt)).toEqual([at(2)]);
    expect(ofBatch.map((j) => j.cluster)).toEqual(['b', 'a']);
    expect(limited.map((j) => j.cluster)).toEqual(['c', 'b']);
  });

  it('reads the jobs of a data dir from before schema versions, and writes them back versioned', async () => {
    // Prepare: the jobs table as that release left it
    const { dir, jobs } = await store();
    const raw = openDatabase(dir);
    open.push(raw);
    for (const { stored } of v0Records) insertRow(raw, stored, JSON.stringify(stored));
    const { stored: mid } = v0Record('verifying hop 2 with a cancel request');
    // Act
    const read = await Promise.all(v0Records.map(({ stored }) => jobs.get(stored.id)));
    const listed = await jobs.list({});
    const active = await jobs.get(mid.id);
    if (!active) throw new Error('the active job was not read');
    await jobs.update(ended(active, 'cancelled'), active.version);
    // Assess
    expect(read.map((job) => job && JSON.parse(JSON.stringify(jobView(job))))).toEqual(
      v0Records.map(({ view }) => view),
    );
    expect(listed).toHaveLength(v0Records.length);
    expect(JSON.parse(dataOf(raw, mid.id))).toMatchObject({ schemaVersion: 1, state: 'cancelled' });
  });

  it('refuses a damaged row with an error naming the job and the field, on every read', async () => {
    // Prepare
    const { dir, jobs } = await store();
    const raw = openDatabase(dir);
    open.push(raw);
    const { stored } = v0Record('verifying hop 2 with a cancel request');
    const plan = stored.plan as Record<string, unknown>[];
    delete plan[1]?.csv;
    insertRow(raw, stored, JSON.stringify(stored));
    const { stored: other } = v0Record('succeeded over two hops');
    insertRow(raw, other, '{"id": "truncated');
    // Act / Assess
    const unreadable = `stored job ${stored.id} (unversioned) is unreadable: plan.1.csv`;
    await expect(jobs.get(stored.id)).rejects.toThrow(unreadable);
    await expect(jobs.list({ cluster: stored.cluster })).rejects.toThrow(unreadable);
    await expect(jobs.get(other.id)).rejects.toThrow(`stored job ${other.id} is not JSON`);
  });
});

function insertRow(db: DatabaseSync, job: StoredV0, data: string): void {
  db.prepare(
    'INSERT INTO jobs (id, cluster, state, batch_id, version, created_at, data) VALUES (?, ?, ?, NULL, ?, ?, ?)',
  ).run(job.id, job.cluster, job.state, job.version, job.createdAt, data);
}

function dataOf(db: DatabaseSync, id: string): string {
  return (db.prepare('SELECT data FROM jobs WHERE id = ?').get(id) as { data: string }).data;
}
