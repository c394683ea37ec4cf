import { describe, expect, it } from 'vitest';
import { ConflictError, TransientError } from '#domain/errors.ts';
import type { Batch } from '#domain/rollout/batch.ts';
import { stageSeconds } from '#domain/stage-durations.ts';
import type { QueuedMessage } from '#test/fakes/queue.ts';
import { rolloutPipeline } from './support/rollout-pipeline.ts';

const types = (events: { type: string }[]) => events.map((event) => event.type);

/** Every wave started after the one before it completed, and every job of a wave within it. */
async function expectWavesInOrder(pipeline: Awaited<ReturnType<typeof rolloutPipeline>>, batch: Batch) {
  const jobs = await pipeline.jobsOf(batch.id);
  for (const wave of batch.waves.slice(1)) {
    const previous = batch.waves[wave.index - 1];
    expect(Date.parse(wave.startedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(previous?.completedAt ?? ''));
    for (const cluster of batch.clusters.filter((c) => c.wave === wave.index)) {
      for (const job of jobs.get(cluster.name) ?? []) {
        expect(Date.parse(job.createdAt)).toBeGreaterThanOrEqual(Date.parse(wave.startedAt ?? ''));
      }
    }
  }
}

describe('the rollout consumer', () => {
  it('rolls a batch out wave by wave: canary, bake, re-check, next wave, until every cluster succeeded', async () => {
    // Prepare
    const pipeline = await rolloutPipeline(5);
    const created = await pipeline.start({ canary: 1, waveSize: 2, bakeSeconds: 600 });
    // Act
    await pipeline.run();
    // Assess
    const batch = await pipeline.batch(created.id);
    expect(batch).toMatchObject({ state: 'succeeded', finishedAt: expect.any(String) });
    expect(batch.waves.map((wave) => wave.label)).toEqual(['canary', 'wave 2', 'wave 3']);
    expect(batch.clusters.map((c) => [c.name, c.state, c.attempt])).toEqual(
      pipeline.names.map((name) => [name, 'succeeded', 1]),
    );
    const jobs = await pipeline.jobsOf(batch.id);
    expect([...jobs.values()].map((list) => list.length)).toEqual([1, 1, 1, 1, 1]);
    await expectWavesInOrder(pipeline, batch);
    // The canary's stage times reach every later job, whose own times for those stages are not learned.
    const [canary, ...later] = batch.clusters.map((cluster) => jobs.get(cluster.name)?.[0]);
    if (!canary) throw new Error('no canary job');
    const taught = stageSeconds(canary);
    expect(Object.keys(taught)).toEqual(['check-backup', 'upload-package', 'patch-subscription', 'verify']);
    expect(canary.expectedWaits).toBeUndefined();
    for (const job of later) expect(job?.expectedWaits).toEqual(taught);
    expect(batch.waitSamples).toEqual(
      Object.fromEntries(Object.entries(taught).map(([stage, seconds]) => [stage, [seconds]])),
    );
    const events = await pipeline.batches.events(batch.id);
    expect(types(events)).toEqual([
      'batch.started',
      'wave.started',
      'wave.baking',
      'wave.completed',
      'wave.started',
      'wave.baking',
      'wave.completed',
      'wave.started',
      'wave.baking',
      'wave.completed',
      'batch.completed',
    ]);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    for (const name of pipeline.names) {
      expect(pipeline.gateway.clusters.get(name)?.state.subscription.installedCSV).toBe(
        'redis-operator.v4.2.1',
      );
    }
  });

  it('starts no cluster twice and ends the same when every message is delivered twice', async () => {
    // Prepare
    const pipeline = await rolloutPipeline(4);
    const created = await pipeline.start({ canary: 1, waveSize: '50%', maxConcurrency: 1, bakeSeconds: 60 });
    // Act
    await pipeline.run({ duplicate: true });
    // Assess
    const batch = await pipeline.batch(created.id);
    expect(batch.state).toBe('succeeded');
    const jobs = await pipeline.jobsOf(batch.id);
    expect([...jobs.values()].map((list) => list.length)).toEqual([1, 1, 1, 1]);
    await expectWavesInOrder(pipeline, batch);
    expect(pipeline.uploader.pushes).toHaveLength(4);
  });

  it('halts when the canary fails, starting nothing else, and goes on only once the failure is accepted', async () => {
    // Prepare
    const pipeline = await rolloutPipeline(3);
    const created = await pipeline.start({ canary: 1, bakeSeconds: 60 });
    pipeline.olmOf('c1').installOutcome = 'Failed';
    // Act
    await pipeline.run();
    const halted = await pipeline.batch(created.id);
    const refused = pipeline.command(created.id, { kind: 'resume' });
    // Assess
    expect(halted.state).toBe('halted');
    expect(halted.reason).toMatch(/^canary failed: c1 \(failed: /);
    expect(halted.clusters.map((c) => c.state)).toEqual(['failed', 'pending', 'pending']);
    expect([...(await pipeline.jobsOf(created.id)).keys()]).toEqual(['c1']);
    await expect(refused).rejects.toBeInstanceOf(ConflictError);
    await expect(refused).rejects.toMatchObject({ code: 'HALTED' });
    // Act: accept the failure
    await pipeline.command(created.id, { kind: 'resume', acceptFailures: true, by: 'sre' });
    await pipeline.run();
    // Assess
    const done = await pipeline.batch(created.id);
    expect(done.state).toBe('completed-with-failures');
    expect(done.acceptances).toMatchObject([{ by: 'sre', clusters: ['c1'] }]);
    expect(done.clusters.map((c) => c.state)).toEqual(['failed', 'succeeded', 'succeeded']);
  });

  it('halts exactly when the failure budget is exceeded; running jobs finish', async () => {
    // Prepare: one at a time, one failure tolerated
    const pipeline = await rolloutPipeline(5);
    pipeline.olmOf('c2').installOutcome = 'Failed';
    pipeline.olmOf('c3').installOutcome = 'Failed';
    const created = await pipeline.start({ maxConcurrency: 1, failureBudget: { maxFailed: 1 } });
    // Act
    await pipeline.run();
    // Assess
    const batch = await pipeline.batch(created.id);
    expect(batch.state).toBe('halted');
    expect(batch.halt?.clusters).toEqual(['c2', 'c3']);
    // c1's wave never completed, so its re-check after the bake is still to come.
    expect(batch.clusters.map((c) => c.state)).toEqual([
      'upgraded',
      'failed',
      'failed',
      'pending',
      'pending',
    ]);
    expect(types(await pipeline.batches.events(batch.id))).toContain('batch.halted');
  });

  it('counts a cluster that fails its re-check after the bake as failed', async () => {
    // Prepare: a Redis instance of c1 breaks once its job has succeeded
    const pipeline = await rolloutPipeline(2);
    const created = await pipeline.start({ waveSize: 1, bakeSeconds: 300, failureBudget: { maxFailed: 1 } });
    const c1 = pipeline.gateway.clusters.get('c1');
    // Act
    await pipeline.run({
      afterDelivery: async () => {
        const [job] = (await pipeline.jobsOf(created.id)).get('c1') ?? [];
        const orders = c1?.state.instances[0];
        if (job?.state === 'succeeded' && orders) Object.assign(orders, { healthy: false, status: 'Error' });
      },
    });
    // Assess
    const batch = await pipeline.batch(created.id);
    expect(batch.clusters[0]).toMatchObject({
      state: 'recheck-failed',
      reason: expect.stringContaining('Redis cache/orders is Error'),
    });
    expect(batch.state).toBe('completed-with-failures');
    expect(batch.clusters[1]?.state).toBe('succeeded');
  });

  it('asks a re-check again while the cluster does not answer, and fails it at the re-check deadline', async () => {
    // Prepare: c1's API stops answering once its job has succeeded
    const pipeline = await rolloutPipeline(1, {
      config: { rollout: { pollSeconds: 60, recheckDeadlineSeconds: 300 } },
    });
    const created = await pipeline.start({ bakeSeconds: 120 });
    const c1 = pipeline.gateway.clusters.get('c1');
    const read = c1?.readSubscription.bind(c1);
    let reads = 0;
    // Act
    await pipeline.run({
      afterDelivery: async () => {
        const [job] = (await pipeline.jobsOf(created.id)).get('c1') ?? [];
        if (job?.state !== 'succeeded' || !c1 || !read || reads > 0) return;
        c1.readSubscription = () => {
          reads += 1;
          return Promise.reject(new TransientError('connect ECONNREFUSED'));
        };
      },
    });
    // Assess
    const batch = await pipeline.batch(created.id);
    expect(batch.clusters[0]).toMatchObject({
      state: 'recheck-failed',
      reason: 're-check after the bake failed: no answer for 5m: connect ECONNREFUSED',
    });
    // Asked at the bake's end, then every poll (60 s) until 300 s after it.
    expect(reads).toBe(6);
    expect(pipeline.log.lines.filter((line) => line.message.startsWith('re-check postponed'))).toHaveLength(
      5,
    );
  });

  it('defers a cluster unreachable at validate to the end of the batch and retries it', async () => {
    // Prepare: c1's API answers 503 for longer than validate's deadline, then recovers
    const pipeline = await rolloutPipeline(3, {
      config: { retrySeconds: 20, maxRetrySeconds: 20, stageDeadlinesSeconds: { validate: 60 } },
    });
    const c1 = pipeline.gateway.clusters.get('c1');
    const read = c1?.readSubscription.bind(c1);
    let down = true;
    if (c1 && read) {
      c1.readSubscription = () =>
        down ? Promise.reject(new TransientError('GET subscription: HTTP 503')) : read();
    }
    const created = await pipeline.start({
      waveSize: 1,
      unreachable: { mode: 'defer', retries: 2, retryDelaySeconds: 120 },
    });
    // Act
    await pipeline.run({
      afterDelivery: async () => {
        const [first] = (await pipeline.jobsOf(created.id)).get('c1') ?? [];
        if (first?.state === 'blocked') down = false;
      },
    });
    // Assess
    const batch = await pipeline.batch(created.id);
    expect(batch.state).toBe('succeeded');
    expect(batch.clusters.find((c) => c.name === 'c1')).toMatchObject({
      state: 'succeeded',
      attempt: 2,
      wave: 3,
    });
    expect(batch.waves.map((wave) => wave.kind)).toEqual(['wave', 'wave', 'wave', 'retry']);
    const jobs = (await pipeline.jobsOf(batch.id)).get('c1') ?? [];
    expect(jobs.map((job) => job.state)).toEqual(['blocked', 'succeeded']);
    expect(await pipeline.job(jobs[0]?.id ?? '')).toMatchObject({ unreachable: true });
    // The others did not wait for it.
    const c3 = (await pipeline.jobsOf(batch.id)).get('c3')?.[0];
    expect(Date.parse(c3?.createdAt ?? '')).toBeLessThan(Date.parse(jobs[1]?.createdAt ?? ''));
  });
});

describe('the rollout at fleet scale', () => {
  it("reads only the ended job on a job's end, not every running job of the wave", async () => {
    // Prepare: one wave of 6; c2..c6 wait for a catalog sync that comes one cluster at a time,
    // minutes in, once the rollout knows every job; the job store's reads counted per delivery
    const pipeline = await rolloutPipeline(6);
    const late = pipeline.names.slice(1);
    for (const name of late) pipeline.olmOf(name).syncOnPush = false;
    // (a bake, so the wave's re-checks, a read of each job, come on a timer of their own)
    const created = await pipeline.start({ waveSize: 6, bakeSeconds: 600 });
    const startedAt = pipeline.clock.now().getTime();
    let reads = 0;
    const { get, list } = pipeline.jobs;
    pipeline.jobs.get = (id) => {
      reads++;
      return get.call(pipeline.jobs, id);
    };
    pipeline.jobs.list = (filter) => {
      reads++;
      return list.call(pipeline.jobs, filter);
    };
    const readsPerJobEnd: number[] = [];
    // Act
    while (pipeline.queue.size > 0) {
      reads = 0;
      const delivered = await pipeline.deliverNext();
      if (delivered.queue === 'rollout' && 'jobId' in delivered.message) readsPerJobEnd.push(reads);
      const minutes = (pipeline.clock.now().getTime() - startedAt) / 60_000;
      const syncing = late[Math.floor(minutes / 5) - 1];
      if (syncing && !pipeline.olmOf(syncing).syncOnPush) {
        pipeline.olmOf(syncing).syncOnPush = true;
        pipeline.olmOf(syncing).pushed('redis-operator.v4.2.1.tgz');
      }
    }
    // Assess
    expect((await pipeline.batch(created.id)).state).toBe('succeeded');
    expect(readsPerJobEnd).toHaveLength(6);
    expect(readsPerJobEnd.slice(1)).toEqual([1, 1, 1, 1, 1]);
  });

  it('handles the job-end wakes of a batch that arrive together as one decision', async () => {
    // Prepare: one wave of 6 whose jobs wait for a catalog sync until the rollout has seen them
    // all start; then the sync, and the jobs run to their ends with the rollout's job-end wakes
    // and timers held back (its poll would see the ends first); batch writes counted
    const pipeline = await rolloutPipeline(6);
    for (const name of pipeline.names) pipeline.olmOf(name).syncOnPush = false;
    const created = await pipeline.start({ waveSize: 6 });
    const handlers = pipeline.stages as Record<string, ((message: unknown) => Promise<void>) | undefined>;
    while (!(await pipeline.batch(created.id)).clusters.every((cluster) => cluster.jobId)) {
      const next = pipeline.queue.take();
      if (!next) throw new Error('the rollout never saw every job start');
      await handlers[next.queue]?.(next.message);
    }
    for (const name of pipeline.names) {
      pipeline.olmOf(name).syncOnPush = true;
      pipeline.olmOf(name).pushed('redis-operator.v4.2.1.tgz');
    }
    const held: unknown[] = [];
    const timers: QueuedMessage[] = [];
    for (let next = pipeline.queue.take(); next; next = pipeline.queue.take()) {
      if (next.queue === 'rollout' && 'jobId' in next.message) held.push(next.message);
      else if (next.queue === 'rollout') timers.push(next);
      else await handlers[next.queue]?.(next.message);
    }
    let writes = 0;
    const { update } = pipeline.batches;
    pipeline.batches.update = (...args) => {
      writes++;
      return update.apply(pipeline.batches, args);
    };
    // Act: the six wakes delivered at once, as one SQS batch would be
    await Promise.all(held.map((message) => handlers.rollout?.(message)));
    const writesForTheWakes = writes;
    for (const timer of timers) await pipeline.queue.send(timer.queue, timer.message);
    await pipeline.run();
    // Assess: the first wake alone, the other five together (handled one by one: 7 writes)
    const batch = await pipeline.batch(created.id);
    expect(held).toHaveLength(6);
    expect(batch.state).toBe('succeeded');
    expect(batch.clusters.map((cluster) => cluster.state)).toEqual(Array(6).fill('succeeded'));
    expect(writesForTheWakes).toBeLessThanOrEqual(4);
  });

  it("completes on its own poll when the wakes reporting the jobs' ends are lost", async () => {
    // Prepare: every job-end wake is dropped on its way to the rollout queue
    const pipeline = await rolloutPipeline(4);
    const created = await pipeline.start({ canary: 1, waveSize: 3 });
    const send = pipeline.queue.send.bind(pipeline.queue);
    pipeline.queue.send = async (queue, message, options) => {
      if (queue === 'rollout' && 'jobId' in message) return;
      return send(queue, message, options);
    };
    // Act
    await pipeline.run();
    // Assess
    const batch = await pipeline.batch(created.id);
    expect(batch.state).toBe('succeeded');
    await expectWavesInOrder(pipeline, batch);
  });
});

describe('the rollout timers under at-least-once delivery', () => {
  it('keeps one timer pending per batch when every message is delivered twice', async () => {
    // Prepare: jobs that poll for minutes and a bake, so the batch wakes many times unchanged
    const pipeline = await rolloutPipeline(3);
    const created = await pipeline.start({ canary: 1, bakeSeconds: 600 });
    const pendingTimers: number[] = [];
    // Act
    const deliveries = await pipeline.run({
      duplicate: true,
      afterDelivery: () => {
        const timers = pipeline.queue.peek().filter((q) => q.queue === 'rollout' && q.delaySeconds > 0);
        pendingTimers.push(timers.length);
      },
    });
    // Assess
    expect((await pipeline.batch(created.id)).state).toBe('succeeded');
    expect(Math.max(...pendingTimers)).toBe(1);
    const wakes = pipeline.queue.sent.filter((q) => q.queue === 'rollout' && q.delaySeconds > 0);
    expect(wakes.length).toBeLessThan(40);
    expect(deliveries).toBeLessThan(400);
  });
});

describe('the rollout timers after a crash', () => {
  it('keeps the batch going when the process dies right before or right after the commit arming a timer', async () => {
    // Prepare: the process dies once right before a commit arming a bake's timer, once right after
    // one (a bake's timer is the only thing that wakes the batch then)
    const pipeline = await rolloutPipeline(3);
    const created = await pipeline.start({ canary: 1, waveSize: 1, bakeSeconds: 600 });
    const crashes: string[] = [];
    // A commit that arms a timer numbers it with the version it writes.
    const arming = (batch: Batch) => batch.timer?.seq === batch.version && batch.state === 'baking';
    pipeline.batches.beforeUpdate = (batch) => {
      if (crashes.length === 0 && arming(batch)) {
        crashes.push('before the commit');
        throw new Error('process killed');
      }
    };
    const update = pipeline.batches.update.bind(pipeline.batches);
    pipeline.batches.update = async (batch, expectedVersion, events) => {
      await update(batch, expectedVersion, events);
      if (crashes.length === 1 && arming(batch) && batch.currentWave === 1) {
        crashes.push('after the commit');
        throw new Error('process killed');
      }
    };
    const pending: number[] = [];
    // Act: deliver by hand; a message whose handler died is delivered again, as the queue does
    for (let queued = pipeline.queue.take(); queued; queued = pipeline.queue.take()) {
      const handler = (pipeline.stages as Record<string, (message: object) => Promise<void>>)[queued.queue];
      if (!handler) throw new Error(`no handler for ${queued.queue}`);
      await handler(structuredClone(queued.message)).catch(async (error: Error) => {
        if (error.message !== 'process killed') throw error;
        await handler(structuredClone(queued.message));
      });
      pending.push(pipeline.queue.peek().filter((q) => q.queue === 'rollout' && q.delaySeconds > 0).length);
      if (pipeline.queue.sent.length > 2000) throw new Error('the pipeline did not settle');
    }
    // Assess: the orphaned timer and the re-armed one are one timer: handled once, never multiplied
    expect(crashes).toEqual(['before the commit', 'after the commit']);
    expect((await pipeline.batch(created.id)).state).toBe('succeeded');
    expect(Math.max(...pending)).toBeLessThanOrEqual(2);
  });

  it('sends a timer whose arming commit has not landed again shortly, changing nothing', async () => {
    // Prepare
    const pipeline = await rolloutPipeline(1);
    const created = await pipeline.start({ canary: 1 });
    const before = await pipeline.batch(created.id);
    const early = { batchId: created.id, reason: 'poll', seq: before.version + 1, due: before.createdAt };
    const queued = pipeline.queue.size;
    // Act
    const rollout = (pipeline.stages as Record<string, (message: object) => Promise<void>>).rollout;
    await rollout?.(early);
    // Assess
    expect(await pipeline.batch(created.id)).toEqual(before);
    expect(pipeline.queue.size).toBe(queued + 1);
    expect(pipeline.queue.peek().at(-1)).toMatchObject({ queue: 'rollout', message: early, delaySeconds: 2 });
  });
});
