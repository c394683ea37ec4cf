/** Release webhook ids in the local database, each until its replay window ends. */
import type { DatabaseSync } from 'node:sqlite';
import type { Clock } from '#shared/ports.ts';
import type { ReleaseLog } from '#shared/webhook-ports.ts';
import { statement } from './sqlite-database.ts';

export class SqliteReleaseLog implements ReleaseLog {
  readonly #db: DatabaseSync;
  readonly #clock: Clock;

  constructor(db: DatabaseSync, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    db.exec('CREATE TABLE IF NOT EXISTS release_ids (id TEXT PRIMARY KEY, expires_at TEXT NOT NULL) STRICT');
  }

  async seen(webhookId: string): Promise<boolean> {
    const row = statement(this.#db, 'SELECT 1 FROM release_ids WHERE id = ? AND expires_at > ?').get(
      webhookId,
      this.#clock.now().toISOString(),
    );
    return row !== undefined;
  }

  async remember(webhookId: string, expiresAt: Date): Promise<void> {
    statement(this.#db, 'INSERT OR REPLACE INTO release_ids (id, expires_at) VALUES (?, ?)').run(
      webhookId,
      expiresAt.toISOString(),
    );
  }
}
