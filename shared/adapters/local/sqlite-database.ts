/**
 * The local runtime's one database file (<dataDir>/redis-upgrader.db) on node:sqlite. WAL lets
 * readers (a `status` call, a second process) run beside the workers; a busy timeout makes a
 * concurrent writer wait instead of failing. Each adapter creates its own tables idempotently.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';

export const DATABASE_FILE = 'redis-upgrader.db';

export function openDatabase(dataDir: string): DatabaseSync {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, DATABASE_FILE);
  const db = new DatabaseSync(file, { timeout: 5000 });
  // Owner only: it holds webhook signing secrets (SQLite gives its -wal and -shm files the same mode).
  chmodSync(file, 0o600);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
  // Job events are the job's history (#domain/job-event.ts); older releases also kept them here.
  db.exec('DROP TABLE IF EXISTS job_events;');
  return db;
}

const prepared = new WeakMap<DatabaseSync, Map<string, StatementSync>>();

/**
 * The connection's prepared statement for `sql`, compiled once: the queue and the job store run
 * the same few statements for every message, and compiling each anew cost more than running it.
 * A statement is run to completion before the next use (run/get/all are synchronous), so sharing
 * one is safe.
 */
export function statement(db: DatabaseSync, sql: string): StatementSync {
  let cache = prepared.get(db);
  if (!cache) {
    cache = new Map();
    prepared.set(db, cache);
  }
  let found = cache.get(sql);
  if (!found) {
    found = db.prepare(sql);
    cache.set(sql, found);
  }
  return found;
}

/** Whether `table` has `column` (a migration's question: was the table made by this release?). */
export function hasColumn(db: DatabaseSync, table: string, column: string): boolean {
  const columns = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[];
  return columns.some((found) => found.name === column);
}

/**
 * Runs `work` in one IMMEDIATE transaction (the write lock is taken up front, so two processes
 * cannot both read a row and then both write it). `work` is synchronous on purpose: nothing can
 * interleave with it on this connection.
 */
export function inTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

interface SqliteError extends Error {
  code?: string;
  errcode?: number;
}

const SQLITE_CONSTRAINT_UNIQUE = 2067;
const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;

/** True for a UNIQUE or PRIMARY KEY violation, optionally on a given index or column. */
export function isUniqueViolation(error: unknown, target?: string): boolean {
  const e = error as SqliteError;
  const unique = e?.errcode === SQLITE_CONSTRAINT_UNIQUE || e?.errcode === SQLITE_CONSTRAINT_PRIMARYKEY;
  return unique && (target === undefined || String(e.message).includes(target));
}
