import type { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '#adapters/local/sqlite-database.ts';
import { SqliteEventLog } from '#adapters/local/sqlite-event-log.ts';
import type { JobEvent } from '#domain/job-event.ts';
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
    const queued: JobEvent = {
      id: 'j1:0',
      type: 'upgrade.queued',
      occurredAt: '2025-01-01T00:00:00Z',
      data: { jobId: 'j1' },
    };
    const validating: JobEvent = {
      ...queued,
      id: 'j1:1',
      type: 'upgrade.validating',
      occurredAt: '2025-01-01T00:00:01Z',
    };

    await log.record(queued);
    await log.record(validating);
    await log.record(validating);
    await log.record({ ...queued, id: 'j2:0', data: { jobId: 'j2' } });

    expect((await log.forJob('j1')).map((e) => e.type)).toEqual(['upgrade.queued', 'upgrade.validating']);
  });

  it('lists events in the order of their transitions, whatever order they were recorded in', async () => {
    // Prepare: a stage commits two transitions in one instant (entering the state and leaving it);
    // the notify queue delivers in any order
    const db = openDatabase(await tempDir());
    open.push(db);
    const log = new SqliteEventLog(db);
    const at = (second: number) => `2025-01-01T00:00:0${second}Z`;
    const event = (index: number, second: number): JobEvent => ({
      id: `j1:${index}`,
      type: 'upgrade.validating',
      occurredAt: at(second),
      data: { jobId: 'j1' },
    });
    // Act
    for (const recorded of [event(10, 5), event(2, 1), event(0, 0), event(9, 5), event(1, 1)]) {
      await log.record(recorded);
    }
    // Assess
    expect((await log.forJob('j1')).map((e) => e.id)).toEqual(['j1:0', 'j1:1', 'j1:2', 'j1:9', 'j1:10']);
  });
});
