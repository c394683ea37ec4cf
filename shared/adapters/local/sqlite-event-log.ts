/**
 * The local event log: job events in the local database, keyed by event id, so an event recorded
 * again (a redelivered notify message, an event emitted again after a crash) is stored once.
 */
import type { DatabaseSync } from 'node:sqlite';
import { type JobEvent, jobEventSchema } from '#domain/job-event.ts';
import type { EventLog } from '#shared/ports.ts';
import { statement } from './sqlite-database.ts';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS job_events (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL,
    type TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    data TEXT NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS job_events_by_job ON job_events (job_id, occurred_at);
`;

export class SqliteEventLog implements EventLog {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    db.exec(SCHEMA);
  }

  async record(event: JobEvent): Promise<void> {
    const jobId = typeof event.data.jobId === 'string' ? event.data.jobId : '';
    statement(
      this.#db,
      'INSERT OR IGNORE INTO job_events (id, job_id, type, occurred_at, data) VALUES (?, ?, ?, ?, ?)',
    ).run(event.id, jobId, event.type, event.occurredAt, JSON.stringify(event.data));
  }

  /**
   * The events of one job, oldest first. They arrive through a queue, in any order; within one
   * instant they go by id, `<jobId>:<transition index>` (#usecases/job-events.ts): by length,
   * then text, which is the order of the index.
   */
  async forJob(jobId: string): Promise<JobEvent[]> {
    const rows = statement(
      this.#db,
      'SELECT id, type, occurred_at, data FROM job_events WHERE job_id = ? ORDER BY occurred_at, length(id), id',
    ).all(jobId) as unknown as { id: string; type: string; occurred_at: string; data: string }[];
    return rows.map((row) =>
      jobEventSchema.parse({
        id: row.id,
        type: row.type,
        occurredAt: row.occurred_at,
        data: JSON.parse(row.data),
      }),
    );
  }
}
