/**
 * The local runtime's one database file (<dataDir>/redis-upgrader.db) on node:sqlite. WAL lets
 * readers (a `status` call, a second process) run beside the workers; a busy timeout makes a
 * concurrent writer wait instead of failing. Each adapter creates its own tables idempotently.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

export const DATABASE_FILE = 'redis-upgrader.db';

export function openDatabase(dataDir: string): DatabaseSync {
  mkdirSync(dataDir, { recursive: true });
  const db = new DatabaseSync(join(dataDir, DATABASE_FILE), { timeout: 5000 });
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
  return db;
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
