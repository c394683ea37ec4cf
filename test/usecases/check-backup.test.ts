import { describe, expect, it } from 'vitest';
import { TransientError } from '#domain/errors.ts';
import type { Job, JobOptions, PlannedJob } from '#domain/job.ts';
import { attemptsByStageAndHop } from '#domain/job-progress.ts';
import { plannedHop } from '#domain/job-transitions.ts';
import { preUpgradeBackupName } from '#domain/pre-upgrade-backup.ts';
import { createPipeline } from '#test/fakes/pipeline.ts';

const HOUR = 3600_000;

async function atBackupCheck(options: JobOptions = {}, config = {}) {
  const pipeline = createPipeline({ config });
  const { cluster } = await pipeline.addCluster('prod-1', { installed: '3.18.2', platformVersion: '4.0.0' });
  const job = await pipeline.seedAt('checking-backup', {
    cluster: 'prod-1',
    from: '3.18.2',
    to: '4.2.1',
    platform: '4.0.0',
    options,
  });
  return { pipeline, cluster, job };
}

/** `namespace/name` of the backup the job takes of an instance before its current hop. */
function backupOf(job: Job, instance: { namespace: string; name: string }): string {
  const hop = plannedHop(job as PlannedJob);
  const ref = (job as PlannedJob).instances.find(
    (i) => i.namespace === instance.namespace && i.name === instance.name,
  );
  if (!ref) throw new Error(`the job has no instance ${instance.namespace}/${instance.name}`);
  return `${instance.namespace}/${preUpgradeBackupName(ref, job.id, hop.to)}`;
}

const ORDERS = { namespace: 'cache', name: 'orders' };

function ageBackup(
  cluster: { state: { backups: { instance: string; completionTime?: string }[] } },
  instance: string,
  at: Date,
) {
  const backup = cluster.state.backups.find((candidate) => candidate.instance === instance);
  if (backup) backup.completionTime = at.toISOString();
}

describe('check-backup stage', () => {
  it('moves on when every instance has a recent Complete backup', async () => {
    // Prepare
    const { pipeline, cluster, job } = await atBackupCheck();
    // Act
    await pipeline.deliverNext();
    // Assess
    const after = await pipeline.job(job.id);
    expect(after.state).toBe('uploading');
    expect(after.transitions.at(-1)?.reason).toBe(
      'every Redis instance (4) has a Complete backup younger than 24h',
    );
    expect(cluster.writes).toEqual([]);
  });

  it('blocks naming each instance whose newest backup is too old, with nothing changed', async () => {
    // Prepare
    const { pipeline, cluster, job } = await atBackupCheck();
    ageBackup(cluster, 'sessions', new Date(pipeline.clock.now().getTime() - 31 * HOUR));
    cluster.state.backups = cluster.state.backups.filter((backup) => backup.instance !== 'events');
    // Act
    await pipeline.deliverNext();
    // Assess
    const after = await pipeline.job(job.id);
    expect(after.state).toBe('blocked');
    expect(after.reason).toBe(
      'backups are not recent enough (max 24h), nothing was changed: RedisFailover payments/sessions: newest ' +
        'backup 31h old (max 24h); DistributedRedisCluster analytics/events: no Complete backup. Back these ' +
        'instances up, or start the upgrade with options.takeBackup',
    );
    expect(cluster.writes).toEqual([]);
    expect(pipeline.queue.size).toBe(0);
  });

  it("uses the job's maximum backup age over the configured default", async () => {
    // Prepare
    const { pipeline, job } = await atBackupCheck(
      { maxBackupAgeSeconds: 3600 },
      { backupMaxAgeSeconds: 48 * 3600 },
    );
    // Act
    await pipeline.deliverNext();
    // Assess
    expect((await pipeline.job(job.id)).reason).toContain(
      'Redis cache/orders: newest backup 2h old (max 1h)',
    );
  });

  it('skips the check on the explicit override, saying so in the reason and the log', async () => {
    // Prepare
    const { pipeline, cluster, job } = await atBackupCheck({ skipBackupCheck: true });
    cluster.state.backups = [];
    // Act
    await pipeline.deliverNext();
    // Assess
    const after = await pipeline.job(job.id);
    expect(after.state).toBe('uploading');
    expect(after.transitions.at(-1)?.reason).toContain('backup check SKIPPED by explicit override');
    expect(pipeline.log.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'backup check skipped by explicit override' }),
    );
  });

  it('with takeBackup, backs up only the stale instances, waits, and moves on once they are Complete', async () => {
    // Prepare
    const { pipeline, cluster, job } = await atBackupCheck(
      { takeBackup: true },
      { pollSeconds: { 'check-backup': 30 } },
    );
    ageBackup(cluster, 'orders', new Date(pipeline.clock.now().getTime() - 30 * HOUR));
    // Act: first poll creates the backup and waits
    await pipeline.deliverNext();
    const waiting = await pipeline.job(job.id);
    const poll = pipeline.queue.peek()[0];
    await pipeline.deliverNext();
    const created = cluster.state.backups.find((backup) => backup.condition === 'Running');
    if (created)
      Object.assign(created, { condition: 'Complete', completionTime: pipeline.clock.now().toISOString() });
    await pipeline.deliverNext();
    // Assess
    const orders = backupOf(job, ORDERS);
    expect(cluster.writes).toEqual([{ op: 'createRedisBackup', target: orders }]);
    expect(waiting).toMatchObject({
      state: 'checking-backup',
      step: { backups: [orders], waitingFor: `waiting for RedisBackups ${orders} to complete` },
    });
    expect(poll?.delaySeconds).toBe(30);
    const after = await pipeline.job(job.id);
    expect(after.state).toBe('uploading');
    expect(after.transitions.at(-1)?.reason).toContain(`took ${orders}`);
    expect(attemptsByStageAndHop(after.attempts)['check-backup:0']).toBe(3);
  });

  it('with takeBackup, a message delivered twice creates each backup once', async () => {
    // Prepare
    const { pipeline, cluster } = await atBackupCheck({ takeBackup: true });
    cluster.state.backups = [];
    // Act
    await pipeline.deliverNext(2);
    await pipeline.deliverNext(2);
    // Assess
    expect(cluster.writes.map((write) => write.op)).toEqual(Array(4).fill('createRedisBackup'));
  });

  it('with takeBackup, a create that fails part way is taken up again without a second backup of any instance', async () => {
    // Prepare: four stale instances; the second create gets a 503
    const { pipeline, cluster, job } = await atBackupCheck({ takeBackup: true });
    cluster.state.backups = [];
    cluster.onBackupCreated = () => {
      cluster.onBackupCreated = undefined;
      cluster.failNext('createRedisBackup', new TransientError('503 Service Unavailable'));
    };
    // Act
    await pipeline.deliverNext();
    const afterFailure = cluster.state.backups.length;
    await pipeline.deliverNext();
    // Assess
    expect(afterFailure).toBe(1);
    const instances = (job as PlannedJob).instances;
    expect(cluster.writes.map((write) => write.target).sort()).toEqual(
      instances.map((instance) => backupOf(job, instance)).sort(),
    );
    expect((await pipeline.job(job.id)).step?.waitingFor).toBe(
      `waiting for RedisBackups ${instances.map((instance) => backupOf(job, instance)).join(', ')} to complete`,
    );
  });

  it('with takeBackup, backs up an instance whose backup aged out during the wait, and waits for that one', async () => {
    // Prepare: orders is stale; sessions' backup is 30 s short of the 24 h limit
    const { pipeline, cluster, job } = await atBackupCheck(
      { takeBackup: true },
      { pollSeconds: { 'check-backup': 60 } },
    );
    const now = pipeline.clock.now().getTime();
    ageBackup(cluster, 'orders', new Date(now - 30 * HOUR));
    ageBackup(cluster, 'sessions', new Date(now - 24 * HOUR + 30_000));
    await pipeline.deliverNext();
    const orders = cluster.state.backups.find((backup) => backup.condition === 'Running');
    if (orders)
      Object.assign(orders, { condition: 'Complete', completionTime: pipeline.clock.now().toISOString() });
    // Act: the next poll, 60 s on
    await pipeline.deliverNext();
    // Assess
    const sessions = backupOf(job, { namespace: 'payments', name: 'sessions' });
    expect(cluster.writes.map((write) => write.target)).toEqual([backupOf(job, ORDERS), sessions]);
    expect((await pipeline.job(job.id)).step?.waitingFor).toBe(
      `waiting for RedisBackups ${sessions} to complete`,
    );
  });

  it('blocks when a backup taken for the upgrade Failed, naming it', async () => {
    // Prepare
    const { pipeline, cluster, job } = await atBackupCheck({ takeBackup: true });
    ageBackup(cluster, 'orders', new Date(pipeline.clock.now().getTime() - 30 * HOUR));
    cluster.onBackupCreated = (backup) => {
      const stored = cluster.state.backups.find((candidate) => candidate.name === backup.name);
      if (stored) stored.condition = 'Failed';
    };
    // Act
    await pipeline.deliverNext();
    await pipeline.deliverNext();
    // Assess
    expect(await pipeline.job(job.id)).toMatchObject({
      state: 'blocked',
      reason: `backups taken for the upgrade failed: RedisBackup ${backupOf(job, ORDERS)} (instance orders) Failed`,
    });
  });

  it('blocks at the deadline when the backups never complete', async () => {
    // Prepare
    const { pipeline, cluster, job } = await atBackupCheck(
      { takeBackup: true },
      { stageDeadlinesSeconds: { 'check-backup': 600 }, pollSeconds: { 'check-backup': 60 } },
    );
    ageBackup(cluster, 'orders', new Date(pipeline.clock.now().getTime() - 30 * HOUR));
    // Act
    await pipeline.run();
    // Assess
    const after = await pipeline.job(job.id);
    expect(after.state).toBe('blocked');
    expect(after.reason).toBe(
      `check-backup gave up after 10m: waiting for RedisBackups ${backupOf(job, ORDERS)} to complete`,
    );
    expect(cluster.calls.createRedisBackup).toBe(1);
  });
});
