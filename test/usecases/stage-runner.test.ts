import { describe, expect, it } from 'vitest';
import { storedJob } from '#adapters/stored-job.ts';
import { ConflictError, TransientError, UnreadableRecordError } from '#domain/errors.ts';
import type { ActiveState } from '#domain/job.ts';
import { attemptsByStageAndHop } from '#domain/job-progress.ts';
import { jobAt } from '#test/fakes/jobs.ts';
import { createPipeline } from '#test/fakes/pipeline.ts';

async function healthyPipeline() {
  const pipeline = createPipeline();
  const added = await pipeline.addCluster('prod-1', { installed: '3.18.2', platformVersion: '4.0.0' });
  return { pipeline, ...added };
}

describe('stage runner', () => {
  it('acknowledges a stale message without reading the cluster or writing', async () => {
    // Prepare
    const { pipeline, cluster } = await healthyPipeline();
    const { job } = await pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1' });
    await pipeline.deliverNext();
    const before = await pipeline.job(job.id);
    const updates = pipeline.jobs.updates.length;
    // Act: an old validate message shows up again
    await pipeline.stages.validate?.({ jobId: job.id, stage: 'validate', hop: 0, seq: 1, id: 'old' });
    // Assess
    expect(await pipeline.job(job.id)).toEqual(before);
    expect(pipeline.jobs.updates).toHaveLength(updates);
    expect(cluster.calls.readSubscription).toBe(1);
    expect(pipeline.queue.size).toBe(1);
  });

  it('fails the message of a job whose record is unreadable, naming the job and the field, changing nothing', async () => {
    // Prepare: the job waits in upload; its stored plan lost a hop's CSV
    const { pipeline, cluster } = await healthyPipeline();
    const at = pipeline.clock.now();
    const job = jobAt('uploading', {
      catalog: pipeline.catalog,
      cluster: 'prod-1',
      from: '3.18.2',
      to: '4.2.1',
      at,
    });
    await pipeline.seed(job);
    pipeline.jobs.seedRecord(job.id, { ...storedJob(job), plan: job.plan.map(({ csv: _, ...hop }) => hop) });
    const updates = pipeline.jobs.updates.length;
    // Act
    const delivery = pipeline.deliverNext();
    // Assess: the queue retries the message, then dead-letters it
    await expect(delivery).rejects.toThrow(UnreadableRecordError);
    await expect(delivery).rejects.toThrow(
      `stored job ${job.id} (schema version 1) is unreadable: plan.0.csv`,
    );
    expect(pipeline.jobs.updates).toHaveLength(updates);
    expect(cluster.writes).toEqual([]);
    expect(pipeline.uploader.pushes).toEqual([]);
  });

  it('acknowledges a message for a job that does not exist', async () => {
    // Prepare
    const { pipeline } = await healthyPipeline();
    // Act
    await pipeline.stages.verify?.({ jobId: 'nope', stage: 'verify', hop: 0, seq: 3 });
    // Assess
    expect(pipeline.log.lines).toContainEqual(
      expect.objectContaining({ message: 'message for an unknown job dropped' }),
    );
  });

  it('re-emits the next message when the worker crashed between the write and the send', async () => {
    // Prepare
    const { pipeline } = await healthyPipeline();
    const { job } = await pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1' });
    await pipeline.deliverNext(); // validate -> checking-backup
    const message = pipeline.queue.take()?.message;
    if (!message) throw new Error('set-up');
    pipeline.queue.failNextSend(new Error('connection reset'));
    // Act: the send after the commit fails; the queue redelivers the same message
    await expect(pipeline.stages['check-backup']?.(message)).rejects.toThrow('connection reset');
    const committed = await pipeline.job(job.id);
    await pipeline.stages['check-backup']?.(message);
    await pipeline.run();
    // Assess
    expect(committed.state).toBe('uploading');
    const done = await pipeline.job(job.id);
    expect(done.state).toBe('succeeded');
    expect(done.transitions.filter((t) => t.from === 'checking-backup')).toHaveLength(1);
    expect(pipeline.log.lines).toContainEqual(
      expect.objectContaining({ message: 're-emitting the next message after a redelivery' }),
    );
  });

  it('re-emits a lost state-change event with the same id after a redelivery', async () => {
    // Prepare
    const { pipeline } = await healthyPipeline();
    const { job } = await pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1' });
    await pipeline.deliverNext();
    const message = pipeline.queue.take()?.message;
    if (!message) throw new Error('set-up');
    pipeline.notifier.failNext(new Error('notify queue unavailable'));
    // Act
    await expect(pipeline.stages['check-backup']?.(message)).rejects.toThrow('notify queue unavailable');
    await pipeline.stages['check-backup']?.(message);
    // Assess
    expect(pipeline.notifier.events.filter((event) => event.type === 'upgrade.uploading')).toEqual([
      expect.objectContaining({
        id: `${job.id}:3`,
        data: expect.objectContaining({ previousState: 'checking-backup' }),
      }),
    ]);
  });

  it('acknowledges a message whose commit lost the race, sending nothing', async () => {
    // Prepare
    const { pipeline } = await healthyPipeline();
    const { job } = await pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1' });
    await pipeline.deliverNext();
    pipeline.jobs.beforeUpdate = () => {
      throw new ConflictError('version moved on', { code: 'VERSION_CONFLICT' });
    };
    const before = await pipeline.job(job.id);
    // Act
    await pipeline.deliverNext();
    // Assess
    expect(await pipeline.job(job.id)).toEqual(before);
    expect(pipeline.queue.size).toBe(0);
    expect(pipeline.log.lines).toContainEqual(
      expect.objectContaining({ message: 'lost a write race; message acknowledged' }),
    );
  });

  it('rethrows an unexpected error so the queue retries and dead-letters the message, writing nothing', async () => {
    // Prepare
    const { pipeline, cluster } = await healthyPipeline();
    const { job } = await pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1' });
    cluster.failNext('readSubscription', new TypeError('cannot read properties of undefined'));
    const message = pipeline.queue.take()?.message;
    if (!message) throw new Error('set-up');
    // Act
    const handling = pipeline.stages.validate?.(message);
    // Assess
    await expect(handling).rejects.toThrow(TypeError);
    // validate enters its state with its first outcome's commit.
    expect(await pipeline.job(job.id)).toMatchObject({ state: 'queued', version: job.version });
  });

  it('counts transient failures as waits within the deadline', async () => {
    // Prepare
    const { pipeline, cluster } = await healthyPipeline();
    const { job } = await pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1' });
    cluster.failNext('readSubscription', new TransientError('HTTP 429'), 2);
    // Act
    await pipeline.run();
    // Assess
    const done = await pipeline.job(job.id);
    expect(done.state).toBe('succeeded');
    expect(attemptsByStageAndHop(done.attempts)['validate:0']).toBe(3);
  });

  it('emits one event per state change with ids receivers can dedupe on', async () => {
    // Prepare
    const { pipeline } = await healthyPipeline();
    const { job } = await pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1' });
    // Act
    await pipeline.run();
    // Assess
    const events = pipeline.notifier.events;
    expect(events.map((event) => event.type)).toEqual([
      'upgrade.queued',
      'upgrade.validating',
      'upgrade.checking-backup',
      'upgrade.uploading',
      'upgrade.patching',
      'upgrade.verifying',
      'upgrade.uploading',
      'upgrade.patching',
      'upgrade.verifying',
      'upgrade.succeeded',
    ]);
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => `${job.id}:${index}`));
    expect(events.at(-1)?.data).toMatchObject({
      cluster: 'prod-1',
      state: 'succeeded',
      hop: 1,
      hops: 2,
      hopTo: '4.2.1',
    });
  });
});

describe('cancellation at stage boundaries', () => {
  const STAGE_STATES: ActiveState[] = ['validating', 'checking-backup', 'uploading', 'patching', 'verifying'];

  it.each(STAGE_STATES)(
    'a %s stage that finds a cancel request cancels instead of advancing',
    async (state) => {
      // Prepare
      const { pipeline, cluster } = await healthyPipeline();
      const job = jobAt(state, {
        catalog: pipeline.catalog,
        cluster: 'prod-1',
        from: '3.18.2',
        to: '4.2.1',
        platform: '4.0.0',
        at: pipeline.clock.now(),
      });
      await pipeline.seed({ ...job, cancelRequested: true });
      // Act
      await pipeline.deliverNext();
      // Assess
      const after = await pipeline.job(job.id);
      expect(after.state).toBe('cancelled');
      expect(after.reason).toContain(`cancelled on request while ${state}`);
      expect(cluster.writes).toEqual([]);
      expect(pipeline.uploader.pushes).toEqual([]);
      expect(pipeline.queue.size).toBe(0);
    },
  );

  it.each(['queued', 'validating', 'checking-backup', 'uploading', 'patching'] as const)(
    'a cancel while %s ends the job at once and its pending message changes nothing',
    async (state) => {
      // Prepare: hold the job in `state` (a retry, a push not yet confirmed, a catalog not yet synced)
      const { pipeline, cluster, olm } = await healthyPipeline();
      olm.syncOnPush = false;
      if (state === 'validating') cluster.failNext('listPvcs', new TransientError('HTTP 503'));
      if (state === 'uploading') pipeline.uploader.onPush = undefined;
      const { job } = await pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1' });
      while ((await pipeline.job(job.id)).state !== state) await pipeline.deliverNext();
      const writesBefore = cluster.writes.length;
      // Act
      const cancelled = await pipeline.cancel({ jobId: job.id, note: 'maintenance window closed' });
      await pipeline.run();
      // Assess
      expect(cancelled.state).toBe('cancelled');
      expect(cancelled.reason).toContain(`cancelled on request (maintenance window closed) while ${state}`);
      expect(await pipeline.job(job.id)).toEqual(cancelled);
      expect(cluster.writes).toHaveLength(writesBefore);
      expect(cluster.state.subscription.installedCSV).toBe('redis-operator.v3.18.2');
    },
  );

  it('after an approval, lets the hop finish and cancels before the next one', async () => {
    // Prepare: run until hop 0 has been approved
    const { pipeline, cluster } = await healthyPipeline();
    const { job } = await pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1' });
    while ((await pipeline.job(job.id)).state !== 'verifying') await pipeline.deliverNext();
    // Act
    const requested = await pipeline.cancel({ jobId: job.id });
    await pipeline.run();
    // Assess
    expect(requested).toMatchObject({ state: 'verifying', cancelRequested: true });
    const after = await pipeline.job(job.id);
    expect(after.state).toBe('cancelled');
    expect(after.reason).toContain('the cluster runs 4.0.3, target 4.2.1 not reached');
    expect(cluster.state.subscription.installedCSV).toBe('redis-operator.v4.0.3');
    expect(pipeline.uploader.pushes).toHaveLength(1);
  });

  it('after the last approval, the upgrade completes and says the cancel came too late', async () => {
    // Prepare
    const { pipeline } = await healthyPipeline();
    const { job } = await pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1' });
    let current = await pipeline.job(job.id);
    while (!(current.state === 'verifying' && current.hop === 1)) {
      await pipeline.deliverNext();
      current = await pipeline.job(job.id);
    }
    // Act
    await pipeline.cancel({ jobId: job.id });
    await pipeline.run();
    // Assess
    expect(await pipeline.job(job.id)).toMatchObject({
      state: 'succeeded',
      reason: expect.stringContaining(
        'the cancel request came after the last hop passed its point of no return',
      ),
    });
  });
});
