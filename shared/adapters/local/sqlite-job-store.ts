/**
 * JobStore on node:sqlite. The job is stored whole as JSON (versioned and parsed on every read,
 * #adapters/stored-job.ts) beside the columns the queries and constraints need. "At most one
 * active job per cluster" is a partial unique index, so two concurrent creates (or two
 * processes) can never both win; every update is conditional on the version the writer read.
 * Idempotency keys keep the request's fingerprint and expire; expired ones are deleted by the
 * next create that carries a key, in its transaction.
 */

import type { DatabaseSync } from 'node:sqlite';
import { listLimit } from '#adapters/list-limit.ts';
import { readStoredJob, storedJob } from '#adapters/stored-job.ts';
import { ConflictError, UnreadableRecordError, ValidationError } from '#domain/errors.ts';
import { ACTIVE_STATES, type Job } from '#domain/job.ts';
import type { CreateOutcome, IdempotencyRecord, JobFilter, JobStore } from '#shared/ports.ts';
import { hasColumn, inTransaction, isUniqueViolation, statement } from './sqlite-database.ts';

// ACTIVE_STATES is a compile-time constant of plain words, so inlining it into DDL is safe.
const ACTIVE_LIST = ACTIVE_STATES.map((state) => `'${state}'`).join(', ');

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    cluster TEXT NOT NULL,
    state TEXT NOT NULL,
    batch_id TEXT,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
  ) STRICT;
  CREATE UNIQUE INDEX IF NOT EXISTS jobs_one_active_per_cluster ON jobs (cluster) WHERE state IN (${ACTIVE_LIST});
  CREATE INDEX IF NOT EXISTS jobs_by_cluster ON jobs (cluster, created_at);
  CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, created_at);
  CREATE INDEX IF NOT EXISTS jobs_by_batch ON jobs (batch_id, created_at) WHERE batch_id IS NOT NULL;
`;

/** fingerprint is NULL only for keys migrated from before fingerprints were kept. */
const IDEMPOTENCY_TABLE = (name: string) => `
  CREATE TABLE IF NOT EXISTS ${name} (
    key TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES jobs (id),
    fingerprint TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  ) STRICT`;

/**
 * The earlier release's table had no fingerprint and no expiry: rebuild it, giving each key the
 * default day from its use. Inside one IMMEDIATE transaction, so a second process opening the
 * same database waits and then finds the table migrated.
 */
function migrateIdempotencyKeys(db: DatabaseSync): void {
  inTransaction(db, () => {
    if (hasColumn(db, 'idempotency_keys', 'expires_at')) return;
    db.exec(`${IDEMPOTENCY_TABLE('idempotency_keys_v2')};
      INSERT INTO idempotency_keys_v2 (key, job_id, fingerprint, created_at, expires_at)
        SELECT key, job_id, NULL, created_at, strftime('%Y-%m-%dT%H:%M:%fZ', created_at, '+1 day')
        FROM idempotency_keys;
      DROP TABLE idempotency_keys;
      ALTER TABLE idempotency_keys_v2 RENAME TO idempotency_keys;`);
  });
}

interface JobRow {
  id: string;
  data: string;
}

function readRow(row: JobRow): Job {
  let record: unknown;
  try {
    record = JSON.parse(row.data);
  } catch (error) {
    throw new UnreadableRecordError(`stored job ${row.id} is not JSON`, {
      cause: error,
      details: { jobId: row.id },
    });
  }
  return readStoredJob(record, row.id);
}

interface KeyRow extends JobRow {
  fingerprint: string | null;
}

export class SqliteJobStore implements JobStore {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    db.exec(`${SCHEMA}; ${IDEMPOTENCY_TABLE('idempotency_keys')}`);
    migrateIdempotencyKeys(db);
    db.exec('CREATE INDEX IF NOT EXISTS idempotency_keys_by_expiry ON idempotency_keys (expires_at)');
  }

  async create(job: Job, idempotency?: IdempotencyRecord): Promise<CreateOutcome> {
    try {
      return inTransaction(this.#db, (): CreateOutcome => {
        if (idempotency !== undefined) {
          // ISO times in one format compare as text.
          statement(this.#db, 'DELETE FROM idempotency_keys WHERE expires_at <= ?').run(job.createdAt);
          const existing = statement(
            this.#db,
            'SELECT j.id, j.data, k.fingerprint FROM idempotency_keys k JOIN jobs j ON j.id = k.job_id WHERE k.key = ?',
          ).get(idempotency.key) as KeyRow | undefined;
          if (existing) {
            const fingerprint = existing.fingerprint ?? undefined;
            return { created: false, job: readRow(existing), fingerprint };
          }
        }
        statement(
          this.#db,
          'INSERT INTO jobs (id, cluster, state, batch_id, version, created_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
        ).run(
          job.id,
          job.cluster,
          job.state,
          job.batchId ?? null,
          job.version,
          job.createdAt,
          JSON.stringify(storedJob(job)),
        );
        if (idempotency !== undefined) {
          statement(
            this.#db,
            'INSERT INTO idempotency_keys (key, job_id, fingerprint, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
          ).run(idempotency.key, job.id, idempotency.fingerprint, job.createdAt, idempotency.expiresAt);
        }
        return { created: true, job };
      });
    } catch (error) {
      throw this.#mapWriteError(error, job);
    }
  }

  async get(id: string): Promise<Job | undefined> {
    const row = statement(this.#db, 'SELECT id, data FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row ? readRow(row) : undefined;
  }

  async update(job: Job, expectedVersion: number): Promise<void> {
    if (job.version <= expectedVersion) {
      // Writing the version we read would let a second stale writer succeed too.
      throw new ValidationError(`job ${job.id}: an update must advance the version past ${expectedVersion}`, {
        code: 'VERSION_NOT_ADVANCED',
      });
    }
    let changes: number | bigint;
    try {
      ({ changes } = statement(
        this.#db,
        'UPDATE jobs SET state = ?, batch_id = ?, version = ?, data = ? WHERE id = ? AND version = ? AND cluster = ?',
      ).run(
        job.state,
        job.batchId ?? null,
        job.version,
        JSON.stringify(storedJob(job)),
        job.id,
        expectedVersion,
        job.cluster,
      ));
    } catch (error) {
      throw this.#mapWriteError(error, job);
    }
    if (Number(changes) === 0) {
      const current = await this.get(job.id);
      throw new ConflictError(
        current
          ? `job ${job.id} changed since it was read (version ${current.version}, expected ${expectedVersion})`
          : `job ${job.id} does not exist`,
        {
          code: 'STALE_VERSION',
          details: { jobId: job.id, expectedVersion, actualVersion: current?.version },
        },
      );
    }
  }

  async list(filter: JobFilter): Promise<Job[]> {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.cluster !== undefined) {
      where.push('cluster = ?');
      params.push(filter.cluster);
    }
    if (filter.state !== undefined) {
      where.push('state = ?');
      params.push(filter.state);
    }
    if (filter.batchId !== undefined) {
      where.push('batch_id = ?');
      params.push(filter.batchId);
    }
    const limit = listLimit(filter.limit);
    const sql = `SELECT id, data FROM jobs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT ${limit}`;
    const rows = this.#db.prepare(sql).all(...params) as unknown as JobRow[];
    return rows.map(readRow);
  }

  #mapWriteError(error: unknown, job: Job): unknown {
    if (isUniqueViolation(error, 'jobs.cluster')) {
      const active = statement(
        this.#db,
        `SELECT id FROM jobs WHERE cluster = ? AND state IN (${ACTIVE_LIST}) AND id <> ?`,
      ).get(job.cluster, job.id) as { id: string } | undefined;
      return new ConflictError(
        `cluster ${job.cluster} already has an active upgrade job ${active?.id ?? ''}`.trim(),
        {
          code: 'ACTIVE_JOB_EXISTS',
          cause: error,
          details: { cluster: job.cluster, ...(active ? { activeJobId: active.id } : {}) },
        },
      );
    }
    if (isUniqueViolation(error, 'jobs.id')) {
      return new ConflictError(`job ${job.id} already exists`, { code: 'JOB_EXISTS', cause: error });
    }
    return error;
  }
}
