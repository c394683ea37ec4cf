/**
 * BatchStore on node:sqlite. The batch is stored whole as JSON (versioned and parsed on every
 * read, #adapters/stored-batch.ts) beside the columns the queries need; its events in their own
 * table keyed by id. An update and the events of its decision commit in one IMMEDIATE
 * transaction, conditional on the version the writer read, so a decision that lost its race
 * leaves no event behind. How far its events went to webhooks is a row of its own (no version).
 * Idempotency keys expire; expired ones are deleted by the next create
 * that carries a key, in its transaction.
 */

import type { DatabaseSync } from 'node:sqlite';
import { listLimit } from '#adapters/list-limit.ts';
import { readStoredBatch, readStoredBatchEvent, storedBatch } from '#adapters/stored-batch.ts';
import { ConflictError, UnreadableRecordError, ValidationError } from '#domain/errors.ts';
import type { Batch } from '#domain/rollout/batch.ts';
import type { BatchEvent } from '#domain/rollout/batch-events.ts';
import type { BatchCreateOutcome, BatchFilter, BatchStore, IdempotencyRecord } from '#shared/ports.ts';
import { inTransaction, isUniqueViolation, statement } from './sqlite-database.ts';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS batches (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS batches_by_created ON batches (created_at);
  CREATE INDEX IF NOT EXISTS batches_by_state ON batches (state, created_at);
  CREATE TABLE IF NOT EXISTS batch_idempotency_keys (
    key TEXT PRIMARY KEY,
    batch_id TEXT NOT NULL REFERENCES batches (id),
    fingerprint TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS batch_idempotency_keys_by_expiry ON batch_idempotency_keys (expires_at);
  CREATE TABLE IF NOT EXISTS batch_events (
    id TEXT PRIMARY KEY,
    batch_id TEXT NOT NULL REFERENCES batches (id),
    seq INTEGER NOT NULL,
    data TEXT NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS batch_events_by_batch ON batch_events (batch_id, seq);
  CREATE TABLE IF NOT EXISTS batch_published (
    batch_id TEXT PRIMARY KEY REFERENCES batches (id),
    seq INTEGER NOT NULL
  ) STRICT;
`;

interface Row {
  id: string;
  data: string;
}

function parsedJson(row: Row, what: string): unknown {
  try {
    return JSON.parse(row.data);
  } catch (error) {
    throw new UnreadableRecordError(`stored ${what} ${row.id} is not JSON`, { cause: error });
  }
}

const readBatch = (row: Row): Batch => readStoredBatch(parsedJson(row, 'batch'), row.id);

export class SqliteBatchStore implements BatchStore {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    db.exec(SCHEMA);
  }

  async create(batch: Batch, idempotency?: IdempotencyRecord): Promise<BatchCreateOutcome> {
    try {
      return inTransaction(this.#db, (): BatchCreateOutcome => {
        if (idempotency !== undefined) {
          statement(this.#db, 'DELETE FROM batch_idempotency_keys WHERE expires_at <= ?').run(
            batch.createdAt,
          );
          const existing = statement(
            this.#db,
            'SELECT b.id, b.data, k.fingerprint FROM batch_idempotency_keys k JOIN batches b ON b.id = k.batch_id WHERE k.key = ?',
          ).get(idempotency.key) as (Row & { fingerprint: string }) | undefined;
          if (existing)
            return { created: false, batch: readBatch(existing), fingerprint: existing.fingerprint };
        }
        statement(
          this.#db,
          'INSERT INTO batches (id, state, version, created_at, data) VALUES (?, ?, ?, ?, ?)',
        ).run(batch.id, batch.state, batch.version, batch.createdAt, JSON.stringify(storedBatch(batch)));
        if (idempotency !== undefined) {
          statement(
            this.#db,
            'INSERT INTO batch_idempotency_keys (key, batch_id, fingerprint, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
          ).run(idempotency.key, batch.id, idempotency.fingerprint, batch.createdAt, idempotency.expiresAt);
        }
        return { created: true, batch };
      });
    } catch (error) {
      if (isUniqueViolation(error, 'batches.id')) {
        throw new ConflictError(`batch ${batch.id} already exists`, { code: 'BATCH_EXISTS', cause: error });
      }
      throw error;
    }
  }

  async findByIdempotencyKey(
    key: string,
    at: string,
  ): Promise<{ batch: Batch; fingerprint: string } | undefined> {
    const row = statement(
      this.#db,
      'SELECT b.id, b.data, k.fingerprint FROM batch_idempotency_keys k JOIN batches b ON b.id = k.batch_id WHERE k.key = ? AND k.expires_at > ?',
    ).get(key, at) as (Row & { fingerprint: string }) | undefined;
    return row && { batch: readBatch(row), fingerprint: row.fingerprint };
  }

  async get(id: string): Promise<Batch | undefined> {
    const row = statement(this.#db, 'SELECT id, data FROM batches WHERE id = ?').get(id) as Row | undefined;
    return row ? readBatch(row) : undefined;
  }

  async list(filter: BatchFilter): Promise<Batch[]> {
    const limit = listLimit(filter.limit);
    const where = filter.state === undefined ? '' : 'WHERE state = ?';
    const rows = statement(
      this.#db,
      `SELECT id, data FROM batches ${where} ORDER BY created_at DESC, id DESC LIMIT ${limit}`,
    ).all(...(filter.state === undefined ? [] : [filter.state])) as unknown as Row[];
    return rows.map(readBatch);
  }

  async update(batch: Batch, expectedVersion: number, events: readonly BatchEvent[] = []): Promise<void> {
    if (batch.version <= expectedVersion) {
      throw new ValidationError(
        `batch ${batch.id}: an update must advance the version past ${expectedVersion}`,
        { code: 'VERSION_NOT_ADVANCED' },
      );
    }
    inTransaction(this.#db, () => {
      const { changes } = statement(
        this.#db,
        'UPDATE batches SET state = ?, version = ?, data = ? WHERE id = ? AND version = ?',
      ).run(batch.state, batch.version, JSON.stringify(storedBatch(batch)), batch.id, expectedVersion);
      if (Number(changes) === 0) throw this.#stale(batch.id, expectedVersion);
      const insert = statement(
        this.#db,
        'INSERT OR IGNORE INTO batch_events (id, batch_id, seq, data) VALUES (?, ?, ?, ?)',
      );
      for (const event of events) insert.run(event.id, event.batchId, event.seq, JSON.stringify(event));
    });
  }

  async events(batchId: string): Promise<BatchEvent[]> {
    const rows = statement(
      this.#db,
      'SELECT id, data FROM batch_events WHERE batch_id = ? ORDER BY seq, id',
    ).all(batchId) as unknown as Row[];
    return rows.map((row) => readStoredBatchEvent(parsedJson(row, 'batch event'), row.id));
  }

  async publishedThrough(batchId: string): Promise<number> {
    const row = statement(this.#db, 'SELECT seq FROM batch_published WHERE batch_id = ?').get(batchId) as
      | { seq: number }
      | undefined;
    return row?.seq ?? 0;
  }

  async markPublished(batchId: string, seq: number): Promise<void> {
    statement(
      this.#db,
      'INSERT INTO batch_published (batch_id, seq) VALUES (?, ?) ON CONFLICT (batch_id) DO UPDATE SET seq = max(seq, excluded.seq)',
    ).run(batchId, seq);
  }

  #stale(id: string, expectedVersion: number): ConflictError {
    const current = statement(this.#db, 'SELECT version FROM batches WHERE id = ?').get(id) as
      | { version: number }
      | undefined;
    return new ConflictError(
      current
        ? `batch ${id} changed since it was read (version ${current.version}, expected ${expectedVersion})`
        : `batch ${id} does not exist`,
      { code: 'STALE_VERSION', details: { batchId: id, expectedVersion, actualVersion: current?.version } },
    );
  }
}
