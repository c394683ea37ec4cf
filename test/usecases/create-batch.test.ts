import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '#domain/errors.ts';
import { type BatchRequestInput, batchRequestSchema } from '#domain/rollout/batch-request.ts';
import { jobAt } from '#test/fakes/jobs.ts';
import { rolloutPipeline } from './support/rollout-pipeline.ts';

const request = (input: Partial<BatchRequestInput> = {}) =>
  batchRequestSchema.parse({
    targetVersion: '4.2.1',
    clusters: ['c1', 'c2', 'c3'],
    strategy: { canary: 1 },
    ...input,
  });

describe('createBatch', () => {
  it('stores the batch planned into waves and wakes its rollout once, replaying a retried key', async () => {
    // Prepare
    const pipeline = await rolloutPipeline(3);
    // Act
    const first = await pipeline.createBatch(request(), 'deploy-7');
    const retry = await pipeline.createBatch(request(), 'deploy-7');
    const reused = pipeline.createBatch(request({ strategy: { canary: 2 } }), 'deploy-7');
    // Assess
    if (first.dryRun || retry.dryRun) throw new Error('not a dry run');
    expect(first.created).toBe(true);
    expect(first.batch).toMatchObject({ state: 'running', version: 0, targetVersion: '4.2.1' });
    expect(first.batch.waves.map((wave) => wave.label)).toEqual(['canary', 'wave 2']);
    expect(retry).toMatchObject({ created: false, batch: { id: first.batch.id } });
    await expect(reused).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await pipeline.batches.list({})).toHaveLength(1);
    // The retry found the batch never decided (version 0), so it woke the rollout again: harmless.
    expect(pipeline.queue.peek().map((queued) => [queued.queue, queued.message])).toEqual([
      ['rollout', { batchId: first.batch.id, reason: 'created' }],
      ['rollout', { batchId: first.batch.id, reason: 'created' }],
    ]);
  });

  it('replays a retried key even once the batch’s own jobs have made its clusters busy', async () => {
    // Prepare: the reply to the first request was lost after the canary's job started
    const pipeline = await rolloutPipeline(3);
    const first = await pipeline.createBatch(request(), 'deploy-8');
    if (first.dryRun) throw new Error('not a dry run');
    const at = pipeline.clock.now();
    pipeline.jobs.seed({
      ...jobAt('validating', { catalog: pipeline.catalog, cluster: 'c1', from: '4.0.3', to: '4.2.1', at }),
      batchId: first.batch.id,
    });
    // Act
    const retry = await pipeline.createBatch(request(), 'deploy-8');
    const fresh = pipeline.createBatch(request(), 'deploy-9');
    // Assess
    expect(retry).toMatchObject({ created: false, batch: { id: first.batch.id } });
    await expect(fresh).rejects.toMatchObject({ code: 'CLUSTERS_BUSY' });
    expect(await pipeline.batches.list({})).toHaveLength(1);
  });

  it('refuses clusters that are not registered, naming them, and stores nothing', async () => {
    // Prepare
    const pipeline = await rolloutPipeline(2);
    // Act
    const refused = pipeline.createBatch(request({ clusters: ['c1', 'nope', 'gone'] }));
    // Assess
    await expect(refused).rejects.toBeInstanceOf(NotFoundError);
    await expect(refused).rejects.toThrow('clusters nope, gone are not registered');
    await expect(refused).rejects.toMatchObject({ details: { unknown: ['nope', 'gone'] } });
    expect(await pipeline.batches.list({})).toEqual([]);
    expect(pipeline.queue.size).toBe(0);
  });

  it('refuses clusters with an active job, naming them, unless skipBusy skips them', async () => {
    // Prepare
    const pipeline = await rolloutPipeline(3);
    const at = pipeline.clock.now();
    pipeline.jobs.seed(
      jobAt('validating', { catalog: pipeline.catalog, cluster: 'c2', from: '4.0.3', to: '4.2.1', at }),
    );
    // Act
    const refused = pipeline.createBatch(request());
    const skipping = await pipeline.createBatch(request({ strategy: { canary: 1, skipBusy: true } }));
    // Assess
    await expect(refused).rejects.toBeInstanceOf(ConflictError);
    await expect(refused).rejects.toMatchObject({
      code: 'CLUSTERS_BUSY',
      details: { busy: { c2: 'upgrade job job-c2 is validating' } },
    });
    if (skipping.dryRun) throw new Error('not a dry run');
    expect(skipping.batch.clusters.map((c) => [c.name, c.state])).toEqual([
      ['c1', 'pending'],
      ['c2', 'skipped'],
      ['c3', 'pending'],
    ]);
  });

  it('keeps the callback URL as it will be called (normalized), and refuses one callbacks may not reach', async () => {
    // Prepare
    const pipeline = await rolloutPipeline(1);
    // Act
    const created = await pipeline.createBatch(
      request({ clusters: ['c1'], callbackUrl: 'https://HOOKS.Example.com/a/../b' }),
    );
    const refused = pipeline.createBatch(request({ clusters: ['c1'], callbackUrl: 'http://127.0.0.1/b' }));
    // Assess
    if (created.dryRun) throw new Error('not a dry run');
    expect(created.batch.callbackUrl).toBe('https://hooks.example.com/b');
    await expect(refused).rejects.toThrow(/^callbackUrl refused: 127\.0\.0\.1 is a loopback address/);
  });

  it('refuses a target the catalog does not have and contradictory options', async () => {
    // Prepare
    const pipeline = await rolloutPipeline(1);
    // Act / Assess
    await expect(
      pipeline.createBatch(request({ clusters: ['c1'], targetVersion: '9.9.9' })),
    ).rejects.toMatchObject({ code: 'UNKNOWN_VERSION' });
    await expect(
      pipeline.createBatch(
        request({ clusters: ['c1'], options: { takeBackup: true, skipBackupCheck: true } }),
      ),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('the rehearsal (dryRun)', () => {
  it('reads every cluster as the gates would, predicts from measured hops, and changes nothing', async () => {
    // Prepare: one earlier upgrade measured the hop; c2 has stale backups, c3 an unhealthy instance
    const pipeline = await rolloutPipeline(4);
    await pipeline.addCluster('earlier', { installed: '4.0.3', platformVersion: '4.0.0' });
    await pipeline.create({ cluster: 'earlier', targetVersion: '4.2.1' });
    await pipeline.run();
    const c2 = pipeline.gateway.clusters.get('c2');
    for (const backup of c2?.state.backups ?? []) backup.completionTime = '2020-01-01T00:00:00.000Z';
    const c3 = pipeline.gateway.clusters.get('c3');
    Object.assign(c3?.state.instances[1] ?? {}, { healthy: false, status: 'Error' });
    const writes = () => pipeline.names.map((name) => pipeline.gateway.clusters.get(name)?.writes.length);
    const sentBefore = pipeline.queue.sent.length;
    // Act
    const result = await pipeline.createBatch(
      request({ clusters: pipeline.names, dryRun: true, strategy: { canary: 1, bakeSeconds: 600 } }),
    );
    // Assess
    if (!result.dryRun) throw new Error('a dry run');
    const clusters = result.rehearsal.waves.flatMap((wave) => wave.clusters);
    expect(clusters.map((c) => [c.name, c.hops.map((h) => `${h.from}->${h.to}`), c.blocked ?? ''])).toEqual([
      ['c1', ['4.0.3->4.2.1'], ''],
      ['c2', [], expect.stringContaining('backups are not recent enough')],
      ['c3', [], expect.stringContaining('RedisFailover payments/sessions is Error')],
      ['c4', ['4.0.3->4.2.1'], ''],
    ]);
    expect(clusters[0]).toMatchObject({
      installedVersion: '4.0.3',
      platformVersion: '4.0.0',
      approval: 'Manual',
      measured: true,
    });
    expect(result.rehearsal.waves.map((wave) => wave.label)).toEqual(['canary', 'wave 2']);
    expect(Date.parse(result.rehearsal.eta)).toBeGreaterThan(pipeline.clock.now().getTime() + 1200_000);
    expect(writes()).toEqual([0, 0, 0, 0]);
    expect(await pipeline.batches.list({})).toEqual([]);
    expect(pipeline.queue.sent.length).toBe(sentBefore);
  });

  it('predicts a busy cluster skipped under skipBusy, as the batch would skip it, never a block against the budget', async () => {
    // Prepare: c2 has an active job; blocked clusters count and none is tolerated
    const pipeline = await rolloutPipeline(3);
    const at = pipeline.clock.now();
    pipeline.jobs.seed(
      jobAt('validating', { catalog: pipeline.catalog, cluster: 'c2', from: '4.0.3', to: '4.2.1', at }),
    );
    const strategy = { canary: 1, skipBusy: true, failureBudget: { maxFailed: 0, countBlocked: true } };
    // Act
    const result = await pipeline.createBatch(request({ dryRun: true, strategy }));
    // Assess
    if (!result.dryRun) throw new Error('a dry run');
    const clusters = result.rehearsal.waves.flatMap((wave) => wave.clusters);
    expect(clusters.map((c) => [c.name, c.blocked ?? ''])).toEqual([
      ['c1', ''],
      ['c3', ''],
    ]);
    expect(result.rehearsal.notes).toEqual([
      '1 cluster would be skipped (strategy.skipBusy): c2 (upgrade job job-c2 is validating)',
    ]);
  });
});
