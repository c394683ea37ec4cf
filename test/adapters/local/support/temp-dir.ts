import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterEach } from 'vitest';
import { openDatabase } from '#adapters/local/sqlite-database.ts';

/** A fresh directory per call, removed after the test. */
export function useTempDirs(): () => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redis-upgrader-test-'));
    made.push(dir);
    return dir;
  };
}

/** The local database of a data directory (a fresh one by default), closed after the test. */
export function useDatabases(tempDir: () => Promise<string>): (dir?: string) => Promise<DatabaseSync> {
  const open: DatabaseSync[] = [];
  afterEach(() => {
    for (const db of open.splice(0)) if (db.isOpen) db.close();
  });
  return async (dir) => {
    const db = openDatabase(dir ?? (await tempDir()));
    open.push(db);
    return db;
  };
}

/** A clock the test moves by hand. */
export class ManualClock {
  #ms: number;

  constructor(start = Date.parse('2025-01-01T00:00:00Z')) {
    this.#ms = start;
  }

  now(): Date {
    return new Date(this.#ms);
  }

  advance(seconds: number): void {
    this.#ms += seconds * 1000;
  }
}
