import { describe, expect, it } from 'vitest';
import { decide } from '#domain/rollout/decide.ts';
import { jobAt } from '#test/fakes/jobs.ts';
import { type RolloutPipeline, rolloutPipeline } from './support/rollout-pipeline.ts';

/** Delivers messages one by one until `cluster` has a job in the batch. */
async function untilStarted(pipeline: RolloutPipeline, batchId: string, cluster: string): Promise<void> {
  while (!(await pipeline.jobsOf(batchId)).has(cluster)) await pipeline.deliverNext();
}

describe('commands on a rollout', () => {
  it('pauses: the running job finishes, nothing else starts until resume', async () => {
    // Prepare
    const pipeline = await rolloutPipeline(3);
    const created = await pipeline.start({ maxConcurrency: 1 });
    await untilStarted(pipeline, created.id, 'c1');
    // Act
    await pipeline.command(created.id, { kind: 'pause', by: 'sre', note: 'change freeze' });
    await pipeline.run();
    const paused = await pipeline.batch(created.id);
    await pipeline.command(created.id, { kind: 'resume' });
    await pipeline.run();
    // Assess
    expect(paused).toMatchObject({ state: 'paused', pausedBy: 'sre' });
    expect(paused.clusters.map((c) => c.state)).toEqual(['upgraded', 'pending', 'pending']);
    const done = await pipeline.batch(created.id);
    expect(done.state).toBe('succeeded');
    const events = (await pipeline.batches.events(created.id)).map((e) => e.type);
    expect(events).toContain('batch.paused');
    expect(events).toContain('batch.resumed');
  });

  it('cancels: clusters not started are cancelled and the running job gets a cancel request', async () => {
    // Prepare
    const pipeline = await rolloutPipeline(3);
    const created = await pipeline.start({ maxConcurrency: 1 });
    await untilStarted(pipeline, created.id, 'c1');
    // Act
    await pipeline.command(created.id, { kind: 'cancel' });
    await pipeline.run();
    // Assess
    const batch = await pipeline.batch(created.id);
    expect(batch).toMatchObject({ state: 'cancelled', finishedAt: expect.any(String) });
    expect(batch.clusters.map((c) => c.state)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    const jobs = await pipeline.jobsOf(created.id);
    expect([...jobs.keys()]).toEqual(['c1']);
    expect(jobs.get('c1')?.[0]?.state).toBe('cancelled');
    await expect(pipeline.command(created.id, { kind: 'pause' })).rejects.toMatchObject({
      code: 'BATCH_FINISHED',
    });
  });

  it('waits for approval before each wave, and refuses an approval nothing awaits', async () => {
    // Prepare
    const pipeline = await rolloutPipeline(2);
    const created = await pipeline.start({ waveSize: 1, approval: 'each-wave' });
    // Act
    await pipeline.run();
    const waiting = await pipeline.batch(created.id);
    await pipeline.command(created.id, { kind: 'approve', wave: 1, by: 'lead' });
    await pipeline.run();
    // Assess
    expect(waiting.state).toBe('awaiting-approval');
    expect([...(await pipeline.jobsOf(created.id)).keys()]).toEqual(['c1', 'c2']);
    expect(waiting.clusters.map((c) => c.state)).toEqual(['succeeded', 'pending']);
    const done = await pipeline.batch(created.id);
    expect(done.state).toBe('succeeded');
    expect(done.waves[1]?.approvedBy).toBe('lead');
    await expect(pipeline.command(created.id, { kind: 'approve' })).rejects.toMatchObject({
      code: 'BATCH_FINISHED',
    });
  });

  it('decides again on a lost race: a pause committed first means nothing starts', async () => {
    // Prepare: the pause lands between the rollout's read and its write
    const pipeline = await rolloutPipeline(2);
    const created = await pipeline.start({});
    let raced = false;
    pipeline.batches.beforeUpdate = async (_batch, expected) => {
      if (raced) return;
      raced = true;
      const current = await pipeline.batch(created.id);
      const pause = decide(current, pipeline.clock.now(), { command: { kind: 'pause', by: 'racer' } });
      await pipeline.batches.update(pause.batch, expected, pause.events);
    };
    // Act
    await pipeline.run();
    // Assess
    const batch = await pipeline.batch(created.id);
    expect(raced).toBe(true);
    expect(batch).toMatchObject({ state: 'paused', pausedBy: 'racer' });
    expect(await pipeline.jobsOf(created.id)).toEqual(new Map());
  });

  it.each([
    [false, 'blocked', /^could not start: cluster c2 already has an active upgrade job/],
    [true, 'skipped', /^skipped: cluster c2 already has an active upgrade job/],
  ])(
    'refuses the start of a cluster busy with another job (skipBusy %s: %s)',
    async (skipBusy, state, reason) => {
      // Prepare: c2 gets a job of its own after the batch was created
      const pipeline = await rolloutPipeline(2);
      const created = await pipeline.start({ waveSize: 1, skipBusy });
      const outside = jobAt('validating', {
        catalog: pipeline.catalog,
        cluster: 'c2',
        from: '4.0.3',
        to: '4.2.1',
        at: pipeline.clock.now(),
        id: 'outside',
      });
      pipeline.jobs.seed(outside);
      // Act
      await pipeline.run();
      // Assess
      const batch = await pipeline.batch(created.id);
      expect(batch.clusters[1]).toMatchObject({ state, reason: expect.stringMatching(reason) });
      expect(batch.state).toBe('completed-with-failures');
      expect([...(await pipeline.jobsOf(created.id)).keys()]).toEqual(['c1']);
    },
  );
});
