import { describe, expect, it } from 'vitest';
import type { ActiveJob, Job } from '#domain/job.ts';
import type { Batch, BatchCluster } from '#domain/rollout/batch.ts';
import { type RolloutPolicy, rolloutPoliciesSchema } from '#domain/rollout/rollout-policy.ts';
import { jobAt } from '#test/fakes/jobs.ts';
import { resolvePipelineConfig } from '#usecases/pipeline-config.ts';
import {
  haltWithdrawnRollouts,
  type ReleaseRolloutDeps,
  startPolicyRollouts,
} from '#usecases/release-rollouts.ts';
import { type RolloutPipeline, rolloutPipeline } from './support/rollout-pipeline.ts';

const POLICIES = rolloutPoliciesSchema.parse([
  {
    name: 'prod-minors',
    versions: '>=4.2.0 <5.0.0',
    selector: { matchLabels: { env: 'prod' } },
    strategy: { canary: 1 },
  },
  { name: 'everything', versions: '*', selector: {}, strategy: { waveSize: 2 } },
  { name: 'next-major', versions: '>=5.0.0', selector: {}, strategy: {} },
]);

async function world(policies: readonly RolloutPolicy[] = POLICIES) {
  const pipeline = await rolloutPipeline(3);
  await pipeline.clusters.put({ name: 'c1', labels: { env: 'prod' } });
  const deps: ReleaseRolloutDeps = {
    jobs: pipeline.jobs,
    batches: pipeline.batches,
    clusters: pipeline.clusters,
    gateway: pipeline.gateway,
    queue: pipeline.queue,
    clock: pipeline.clock,
    notifier: pipeline.notifier,
    log: pipeline.log,
    config: resolvePipelineConfig({}),
    policies,
  };
  return { pipeline, deps };
}

/** The batch as the rollout leaves it once it has started these jobs and seen them run. */
function seenRunning(pipeline: RolloutPipeline, batch: Batch, jobs: readonly Job[]): void {
  const waves = new Map(batch.clusters.map((cluster) => [cluster.name, cluster.wave]));
  const started = new Set(jobs.map((job) => job.cluster));
  const running = jobs.map(
    (job): BatchCluster => ({
      name: job.cluster,
      wave: waves.get(job.cluster) ?? 0,
      state: 'started',
      attempt: 1,
      jobId: job.id,
    }),
  );
  const idle = batch.clusters.filter((cluster) => !started.has(cluster.name));
  pipeline.batches.seed({ ...batch, clusters: [...running, ...idle] });
}

describe('a registered version starting the rollouts of its policies', () => {
  it('starts one batch per policy whose range admits the version, on the clusters its selector picks', async () => {
    // Prepare
    const { pipeline, deps } = await world();
    // Act
    const started = await startPolicyRollouts(deps, {
      catalog: pipeline.catalog,
      version: '4.2.1',
    });
    // Assess
    expect(started).toEqual([
      { policy: 'prod-minors', batchId: expect.any(String), clusters: 1, created: true },
      { policy: 'everything', batchId: expect.any(String), clusters: 3, created: true },
    ]);
    const [prod] = started as { batchId: string }[];
    const batch = await pipeline.batch(prod?.batchId ?? '');
    expect(batch).toMatchObject({ targetVersion: '4.2.1', name: 'policy prod-minors: 4.2.1' });
    expect(batch.clusters.map((cluster) => cluster.name)).toEqual(['c1']);
    expect(pipeline.queue.peek().filter(({ queue }) => queue === 'rollout')).toHaveLength(2);
  });

  it('starts nothing new when the version comes again (a retried release, or the same version under a new webhook-id)', async () => {
    // Prepare
    const { pipeline, deps } = await world();
    const first = await startPolicyRollouts(deps, {
      catalog: pipeline.catalog,
      version: '4.2.1',
    });
    // Act
    const again = await startPolicyRollouts(deps, {
      catalog: pipeline.catalog,
      version: '4.2.1',
    });
    // Assess
    expect(again).toEqual(first.map((each) => ({ ...each, created: false })));
    expect(await pipeline.batches.list({})).toHaveLength(2);
  });

  it('wakes the batches only once the catalog has reached every function, when the runtime says that takes a while', async () => {
    // Prepare
    const { pipeline, deps } = await world();
    // Act
    await startPolicyRollouts(deps, {
      catalog: pipeline.catalog,
      version: '4.2.1',
      startDelaySeconds: 60,
    });
    // Assess
    const wakes = pipeline.queue.peek().filter(({ queue }) => queue === 'rollout');
    expect(wakes.map((wake) => wake.delaySeconds)).toEqual([60, 60]);
  });

  it('reports a policy that cannot start (its selector matches no cluster) and starts the others', async () => {
    // Prepare
    const nobody = rolloutPoliciesSchema.parse([
      { name: 'nobody', versions: '*', selector: { matchLabels: { env: 'mars' } }, strategy: {} },
      ...POLICIES,
    ]);
    const { pipeline, deps } = await world(nobody);
    // Act
    const started = await startPolicyRollouts(deps, {
      catalog: pipeline.catalog,
      version: '4.2.1',
    });
    // Assess
    expect(started[0]).toEqual({ policy: 'nobody', refused: expect.stringMatching(/cluster/) });
    expect(started.slice(1).map((each) => each.policy)).toEqual(['prod-minors', 'everything']);
  });
});

describe('a withdrawn version pausing its rollouts', () => {
  it('pauses every unfinished batch targeting it and stops the jobs before their point of no return, no other', async () => {
    // Prepare
    const { pipeline, deps } = await world();
    const target = await pipeline.start({ canary: 1 });
    const other = await pipeline.start({ canary: 1 }, { targetVersion: '4.1.2', clusters: ['c3'] });
    const at = pipeline.clock.now();
    const seed = (job: ActiveJob) => {
      pipeline.jobs.seed(job);
      return job;
    };
    const early = seed({
      ...jobAt('checking-backup', {
        catalog: pipeline.catalog,
        cluster: 'c1',
        from: '4.0.3',
        to: '4.2.1',
        at,
      }),
      batchId: target.id,
    });
    const late = seed({
      ...jobAt('verifying', { catalog: pipeline.catalog, cluster: 'c2', from: '4.0.3', to: '4.2.1', at }),
      batchId: target.id,
      noReturnHop: 0,
    });
    seenRunning(pipeline, target, [early, late]);
    // Act
    const paused = await haltWithdrawnRollouts(deps, { version: '4.2.1', reason: 'CVE-1' });
    // Assess
    expect(paused).toEqual([{ batchId: target.id, stopped: [early.id], finishing: [late.id] }]);
    expect(await pipeline.batch(target.id)).toMatchObject({ pausedBy: 'release webhook' });
    expect((await pipeline.batch(other.id)).pausedAt).toBeUndefined();
    expect(await pipeline.job(early.id)).toMatchObject({
      state: 'cancelled',
      reason: expect.stringContaining('version 4.2.1 withdrawn: CVE-1'),
    });
    expect(await pipeline.job(late.id)).toMatchObject({ state: 'verifying', version: late.version });
    expect(pipeline.notifier.events.map((event) => event.type)).toContain('upgrade.cancelled');
  });

  it('leaves a job alone that passed its point of no return while it was being stopped', async () => {
    // Prepare
    const { pipeline, deps } = await world();
    const target = await pipeline.start({ canary: 1 });
    const job = {
      ...jobAt('patching', {
        catalog: pipeline.catalog,
        cluster: 'c1',
        from: '4.0.3',
        to: '4.2.1',
        at: pipeline.clock.now(),
      }),
      batchId: target.id,
    };
    pipeline.jobs.seed(job);
    seenRunning(pipeline, target, [job]);
    const update = pipeline.jobs.update.bind(pipeline.jobs);
    let raced = false;
    pipeline.jobs.update = async (next, expected) => {
      if (!raced) {
        // The patch stage approves the InstallPlan first: the mark lands before the cancel.
        raced = true;
        await update({ ...job, noReturnHop: 0, version: job.version + 1 }, job.version);
      }
      return update(next, expected);
    };
    // Act
    const paused = await haltWithdrawnRollouts(deps, { version: '4.2.1', reason: 'CVE-1' });
    // Assess
    expect(paused).toEqual([{ batchId: target.id, stopped: [], finishing: [job.id] }]);
    expect(await pipeline.job(job.id)).toMatchObject({ state: 'patching', noReturnHop: 0 });
  });

  it('stops every running job of a batch, however many the store lists at once', async () => {
    // Prepare: 1,200 jobs before their point of no return, more than one list of the store
    const { pipeline, deps } = await world();
    const target = await pipeline.start({ canary: 1 });
    const at = pipeline.clock.now();
    const jobs = Array.from({ length: 1200 }, (_, index) => {
      const cluster = `big-${index}`;
      const job = {
        ...jobAt('checking-backup', { catalog: pipeline.catalog, cluster, from: '4.0.3', to: '4.2.1', at }),
        batchId: target.id,
      };
      pipeline.jobs.seed(job);
      return job;
    });
    seenRunning(pipeline, target, jobs);
    // Act
    const [paused] = await haltWithdrawnRollouts(deps, { version: '4.2.1', reason: 'CVE-1' });
    // Assess
    expect(paused?.stopped).toHaveLength(1200);
    expect(paused?.finishing).toEqual([]);
    const last = jobs.at(-1)?.id ?? '';
    expect(await pipeline.job(last)).toMatchObject({ state: 'cancelled' });
  });
});
