import type { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '#adapters/local/sqlite-database.ts';
import { SqliteEventLog } from '#adapters/local/sqlite-event-log.ts';
import { useTempDirs } from './support/temp-dir.ts';

const tempDir = useTempDirs();
const open: DatabaseSync[] = [];

afterEach(() => {
  for (const db of open.splice(0)) if (db.isOpen) db.close();
});

describe('SqliteEventLog', () => {
  it('records each event id once and lists a job’s events in order', async () => {
    const db = openDatabase(await tempDir());
    open.push(db);
    const log = new SqliteEventLog(db);
    const queued = {
      id: 'j1:0',
      type: 'upgrade.queued',
      occurredAt: '2025-01-01T00:00:00Z',
      data: { jobId: 'j1' },
    };
    const validating = {
      ...queued,
      id: 'j1:1',
      type: 'upgrade.validating',
      occurredAt: '2025-01-01T00:00:01Z',
    };

    await log.emit(queued);
    await log.emit(validating);
    await log.emit(validating);
    await log.emit({ ...queued, id: 'j2:0', data: { jobId: 'j2' } });

    expect((await log.forJob('j1')).map((e) => e.type)).toEqual(['upgrade.queued', 'upgrade.validating']);
  });
});
