/**
 * Stored jobs (#adapters/stored-job.ts): records of the release before schema versions are
 * migrated as they are read and shown by the API exactly as that release showed them; records
 * without their shape are refused naming the job and the field.
 */
import { describe, expect, it } from 'vitest';
import { JOB_SCHEMA_VERSION, readStoredJob, storedJob } from '#adapters/stored-job.ts';
import { UnreadableRecordError } from '#domain/errors.ts';
import { jobView } from '#shared/http/job-view.ts';
import { testCatalog } from '#test/fakes/catalog.ts';
import { ended, jobAt } from '#test/fakes/jobs.ts';
import { type StoredV0, v0Record, v0Records } from './support/stored-jobs.ts';

const at = new Date('2026-03-01T12:00:00Z');
const verifying = jobAt('verifying', {
  catalog: testCatalog(),
  cluster: 'c1',
  from: '3.18.2',
  to: '4.2.1',
  platform: '4.0.0',
  at,
  id: 'job-1',
});
const current = () => ({
  ...structuredClone(storedJob(verifying)),
  instances: [{ kind: 'Redis', namespace: 'cache', name: 'orders' }],
});

/** What a JSON round trip keeps (undefined fields are not written). */
const json = (value: unknown) => JSON.parse(JSON.stringify(value));

describe('stored jobs of the release before schema versions', () => {
  it.each(v0Records.map((record) => [record.name, record] as const))(
    'reads a job %s and shows it as that release did',
    (_name, record) => {
      // Act
      const job = readStoredJob(structuredClone(record.stored), record.stored.id);
      // Assess
      expect(json(jobView(job))).toEqual(record.view);
      expect(job.attempts.map(({ stage, hop, count }) => `${stage}:${hop}=${count}`)).toEqual(
        Object.entries(record.stored.attempts).map(([key, count]) => `${key}=${count}`),
      );
    },
  );

  it('turns instance names into instances, and drops what only active jobs have from ended ones', () => {
    // Prepare
    const succeeded = v0Record('succeeded over two hops');
    // Act
    const job = readStoredJob(succeeded.stored, succeeded.stored.id);
    // Assess
    expect(job).toMatchObject({
      state: 'succeeded',
      instances: [
        { kind: 'Redis', namespace: 'cache', name: 'orders' },
        { kind: 'RedisFailover', namespace: 'payments', name: 'sessions' },
        { kind: 'RedisSentinel', namespace: 'payments', name: 'sentinel' },
        { kind: 'DistributedRedisCluster', namespace: 'analytics', name: 'events' },
      ],
    });
    expect(succeeded.stored).toHaveProperty('stageStartedAt');
    expect(job).not.toHaveProperty('stageStartedAt');
  });

  it('writes a migrated job back in the current shape, which reads back the same', () => {
    // Prepare
    const { stored } = v0Record('verifying hop 2 with a cancel request');
    const migrated = readStoredJob(stored, stored.id);
    // Act
    const written = json(storedJob(migrated));
    // Assess
    expect(written.schemaVersion).toBe(JOB_SCHEMA_VERSION);
    expect(readStoredJob(written, stored.id)).toEqual(migrated);
  });
});

describe('unreadable stored jobs', () => {
  const v0 = (change: (record: StoredV0) => void) => {
    const { stored } = v0Record('verifying hop 2 with a cancel request');
    change(stored);
    return stored;
  };

  it.each([
    [
      'a hop without its CSV',
      () => ({ ...current(), plan: [{ ...verifying.plan[0], csv: undefined }] }),
      'plan.0.csv',
    ],
    [
      'a planned job without its instances',
      () => ({ ...current(), instances: undefined }),
      'instances: Invalid input: expected array, received undefined',
    ],
    ['a hop beyond the plan', () => ({ ...current(), hop: 2 }), 'hop: hop 2 is beyond the plan'],
    ['an active job without its expected message', () => ({ ...current(), expected: undefined }), 'expected'],
    [
      'an ended job without a reason',
      () => ({ ...json(storedJob(ended(verifying, 'failed'))), reason: undefined }),
      'reason',
    ],
    [
      'an ended job still expecting a message',
      () => ({ ...json(storedJob(ended(verifying, 'failed'))), expected: verifying.expected }),
      'Unrecognized key: "expected"',
    ],
    ['a state the domain does not have', () => ({ ...current(), state: 'paused' }), 'state'],
    ['a field no job has', () => ({ ...current(), surprise: 1 }), 'Unrecognized key: "surprise"'],
    ['not an object', () => 'job-1', '(record)'],
    [
      'an unversioned attempt key that is not stage:hop',
      () => v0((record) => Object.assign(record.attempts, { 'verify-1': 2 })),
      'attempts.verify-1: is not "stage:hop"',
    ],
    [
      'an unversioned instance that is not Kind namespace/name',
      () => v0((record) => record.instances?.splice(0, 1, 'Redis orders')),
      'instances.0: "Redis orders" is not "Kind namespace/name"',
    ],
  ])('refuses %s, naming the job and the field', (_name, record, field) => {
    // Act
    const read = () => readStoredJob(record(), 'job-1');
    // Assess
    expect(read).toThrow(UnreadableRecordError);
    expect(read).toThrow(/^stored job job-1 \((schema version 1|unversioned)\) is unreadable: /);
    expect(read).toThrow(field);
  });

  it('refuses a record written by a newer release, saying so', () => {
    // Act
    const read = () => readStoredJob({ ...current(), schemaVersion: JOB_SCHEMA_VERSION + 1 }, 'job-1');
    // Assess
    expect(read).toThrow(
      `stored job job-1 has schema version ${JOB_SCHEMA_VERSION + 1}, written by a newer release`,
    );
  });

  it('refuses a record that holds another job than its key names', () => {
    // Act / Assess
    expect(() => readStoredJob(current(), 'job-2')).toThrow('stored job job-2 holds job job-1');
  });

  it('lists every issue in the details, and the first ones in the message', () => {
    // Act
    const error = (() => {
      try {
        readStoredJob({ ...current(), id: 7, cluster: 7, targetVersion: 7, version: 'x' }, 'job-1');
      } catch (caught) {
        return caught as UnreadableRecordError;
      }
    })();
    // Assess
    expect(error?.code).toBe('UNREADABLE_RECORD');
    expect(error?.details).toMatchObject({ jobId: 'job-1', schemaVersion: 1 });
    expect(error?.details?.issues).toHaveLength(4);
    expect(error?.message).toContain('(and 1 more)');
  });
});
