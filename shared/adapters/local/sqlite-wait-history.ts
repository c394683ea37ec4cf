/** What earlier upgrades took per stage (#domain/wait-history.ts), one row per slot in the local database. */
import type { DatabaseSync } from 'node:sqlite';
import { checkSlot, HISTORY_SLOTS, type WaitRecord } from '#domain/wait-history.ts';
import type { WaitHistory } from '#shared/ports.ts';
import { statement } from './sqlite-database.ts';

export class SqliteWaitHistory implements WaitHistory {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    db.exec(
      'CREATE TABLE IF NOT EXISTS wait_history (slot INTEGER PRIMARY KEY, seconds TEXT NOT NULL, at TEXT NOT NULL) STRICT',
    );
  }

  async recent(): Promise<WaitRecord[]> {
    // Slots past HISTORY_SLOTS would only be left by a release that kept more: not this history's.
    const rows = statement(this.#db, 'SELECT seconds, at FROM wait_history WHERE slot < ?').all(
      HISTORY_SLOTS,
    ) as { seconds: string; at: string }[];
    return rows.map((row) => ({ seconds: JSON.parse(row.seconds), at: row.at }));
  }

  async record(slot: number, record: WaitRecord): Promise<void> {
    checkSlot(slot);
    statement(
      this.#db,
      'INSERT INTO wait_history (slot, seconds, at) VALUES (?, ?, ?) ' +
        'ON CONFLICT (slot) DO UPDATE SET seconds = excluded.seconds, at = excluded.at',
    ).run(slot, JSON.stringify(record.seconds), record.at);
  }
}
