import { describe, expect, it } from 'vitest';
import type { InstallPlanView } from '#domain/cluster-views.ts';
import { NotFoundError, TransientError } from '#domain/errors.ts';
import { attemptsByStageAndHop } from '#domain/job-progress.ts';
import type { FakeCluster } from '#test/fakes/cluster.ts';
import { createPipeline, type Pipeline } from '#test/fakes/pipeline.ts';

async function validateOnce(
  prepare: (cluster: FakeCluster) => void,
  options: { installed?: string; target?: string; platform?: string; recordPlatform?: string } = {},
) {
  const pipeline = createPipeline();
  const { cluster } = await pipeline.addCluster(
    'prod-1',
    { installed: options.installed ?? '3.18.2', platformVersion: options.platform ?? '4.0.0' },
    options.recordPlatform ? { platformVersion: options.recordPlatform } : {},
  );
  prepare(cluster);
  const { job } = await pipeline.create({ cluster: 'prod-1', targetVersion: options.target ?? '4.2.1' });
  await pipeline.deliverNext();
  return { pipeline, cluster, job: await pipeline.job(job.id) };
}

function expectNothingChanged(pipeline: Pipeline, cluster: FakeCluster): void {
  expect(cluster.writes).toEqual([]);
  expect(pipeline.uploader.pushes).toEqual([]);
  expect(pipeline.queue.size).toBe(0);
}

/** A second operator's plan in redis-system, as OLM leaves it for a Manual Subscription. */
function exporterPlan(phase: string): InstallPlanView {
  return {
    name: 'install-exporter',
    namespace: 'redis-system',
    csvNames: ['middleware-exporter.v1.5.0'],
    approval: 'Manual',
    approved: phase !== 'RequiresApproval',
    phase,
    resourceVersion: '2',
  };
}

describe('validate stage', () => {
  it('learns the installed and platform versions from the cluster, plans, and moves to the backup check', async () => {
    // Act
    const { pipeline, cluster, job } = await validateOnce(() => {});
    // Assess
    expect(job).toMatchObject({ state: 'checking-backup', fromVersion: '3.18.2', platformVersion: '4.0.0' });
    expect(job.plan?.map((hop) => hop.to)).toEqual(['4.0.3', '4.2.1']);
    expect(job.transitions.map((t) => t.to)).toEqual(['validating', 'checking-backup']);
    expect(pipeline.queue.peek().map((queued) => queued.message)).toEqual([
      expect.objectContaining({ stage: 'check-backup', hop: 0, seq: job.version }),
    ]);
    expect(cluster.writes).toEqual([]);
    expect(pipeline.notifier.typesFor(job.id)).toEqual([
      'upgrade.queued',
      'upgrade.validating',
      'upgrade.checking-backup',
    ]);
  });

  it("prefers the cluster record's platform version over reading it from the cluster", async () => {
    // Act
    const { cluster, job } = await validateOnce(() => {}, { platform: '3.18.0', recordPlatform: '4.0.0' });
    // Assess
    expect(job).toMatchObject({ state: 'checking-backup', platformVersion: '4.0.0' });
    expect(cluster.calls.readPlatformVersion).toBeUndefined();
  });

  it.each([
    ['Redis', 'Redis cache/orders is Error', 'Error'],
    ['RedisFailover', 'RedisFailover payments/sessions is Initializing', 'Initializing'],
    ['RedisSentinel', 'RedisSentinel payments/sentinel is Paused', 'Paused'],
    ['DistributedRedisCluster', 'DistributedRedisCluster analytics/events is Scaling', 'Scaling'],
  ])('blocks on an unhealthy %s, naming it, with nothing changed', async (kind, message, status) => {
    // Act
    const { pipeline, cluster, job } = await validateOnce((c) => {
      const instance = c.state.instances.find((candidate) => candidate.kind === kind);
      if (instance) Object.assign(instance, { healthy: false, status });
    });
    // Assess
    expect(job.state).toBe('blocked');
    expect(job.reason).toContain(message);
    expectNothingChanged(pipeline, cluster);
  });

  it('blocks on missing CPU and memory headroom and on an unbound PVC, naming each', async () => {
    // Act
    const { pipeline, cluster, job } = await validateOnce((c) => {
      c.state.capacity.cpuRequestedMillis = 15_500;
      c.state.capacity.memoryRequestedBytes = c.state.capacity.memoryAllocatableBytes;
      const pvc = c.state.pvcs[1];
      if (pvc) pvc.phase = 'Pending';
    });
    // Assess
    expect(job.state).toBe('blocked');
    expect(job.reason).toMatch(
      /^prerequisites not met, nothing was changed: cluster CPU: .*; cluster memory: .*; PVC payments\/data-sessions-0 \(RedisFailover payments\/sessions\) is Pending, not Bound$/,
    );
    expectNothingChanged(pipeline, cluster);
  });

  it("blocks with the planner's message when no supported path exists", async () => {
    // Act: 4.2.1 needs ACP >= 4.0.0
    const { pipeline, cluster, job } = await validateOnce(() => {}, { platform: '3.18.0' });
    // Assess
    expect(job.state).toBe('blocked');
    expect(job.reason).toMatch(/^no supported upgrade path from 3\.18\.2 to 4\.2\.1: 4\.2\.1 needs ACP/);
    expect(job.fromVersion).toBe('3.18.2');
    expectNothingChanged(pipeline, cluster);
  });

  it('succeeds at once when the cluster already runs the target', async () => {
    // Act
    const { pipeline, cluster, job } = await validateOnce(() => {}, { installed: '4.2.1' });
    // Assess
    expect(job).toMatchObject({ state: 'succeeded', reason: 'cluster already runs 4.2.1', plan: [] });
    expectNothingChanged(pipeline, cluster);
  });

  it.each([
    [
      'no Subscription',
      (c: FakeCluster) =>
        c.failNext('readSubscription', new NotFoundError('subscriptions "redis-operator" not found')),
      /the Redis operator Subscription was not found/,
    ],
    [
      'no installedCSV',
      (c: FakeCluster) => {
        delete c.state.subscription.installedCSV;
      },
      /has no installedCSV/,
    ],
    [
      'an upgrade under way',
      (c: FakeCluster) => {
        c.state.subscription.currentCSV = 'redis-operator.v4.0.3';
        c.state.subscription.state = 'UpgradePending';
      },
      /already moving from redis-operator\.v3\.18\.2 to redis-operator\.v4\.0\.3/,
    ],
    [
      'a failed operator',
      (c: FakeCluster) => {
        Object.assign(c.state.csvs[0] ?? {}, { phase: 'Failed', message: 'deployment not available' });
      },
      /the installed operator redis-operator\.v3\.18\.2 is Failed: deployment not available/,
    ],
  ])('blocks on %s', async (_case, prepare, reason) => {
    // Act
    const { pipeline, cluster, job } = await validateOnce(prepare);
    // Assess
    expect(job.state).toBe('blocked');
    expect(job.reason).toMatch(reason);
    expectNothingChanged(pipeline, cluster);
  });

  it("blocks on another operator's pending InstallPlan in the Subscription's namespace, naming it, with nothing changed", async () => {
    // Act
    const { pipeline, cluster, job } = await validateOnce((c) => {
      c.state.installPlans.push(exporterPlan('RequiresApproval'));
    });
    // Assess
    expect(job.state).toBe('blocked');
    expect(job.reason).toMatch(
      /^another operator's InstallPlan is not finished in redis-system, nothing was changed: InstallPlan redis-system\/install-exporter \(RequiresApproval\) lists middleware-exporter\.v1\.5\.0\./,
    );
    expect(job.reason).toContain("Approve or remove that operator's pending InstallPlan first");
    expect(job.plan?.map((hop) => hop.to)).toEqual(['4.0.3', '4.2.1']);
    expectNothingChanged(pipeline, cluster);
    expect(cluster.state.artifactVersions).toEqual({});
    expect(cluster.state.installPlans.find((plan) => plan.name === 'install-exporter')).toMatchObject({
      approved: false,
      phase: 'RequiresApproval',
    });
  });

  it.each(['Complete', 'Failed'] as const)(
    "does not block on another operator's %s InstallPlan",
    async (phase) => {
      // Act
      const { cluster, job } = await validateOnce((c) => {
        c.state.installPlans.push(exporterPlan(phase));
      });
      // Assess
      expect(job.state).toBe('checking-backup');
      expect(cluster.writes).toEqual([]);
    },
  );

  it("does not block on another operator's pending InstallPlan outside the Subscription's namespace", async () => {
    // Act
    const { job } = await validateOnce((c) => {
      c.state.installPlans.push({ ...exporterPlan('RequiresApproval'), namespace: 'monitoring' });
    });
    // Assess
    expect(job.state).toBe('checking-backup');
  });

  it("leaves the operator's own pending InstallPlan to the patch stage, as before", async () => {
    // Act
    const { cluster, job } = await validateOnce((c) => {
      c.state.installPlans.push({
        ...exporterPlan('RequiresApproval'),
        name: 'install-own',
        csvNames: ['redis-operator.v4.0.3'],
      });
    });
    // Assess
    expect(job.state).toBe('checking-backup');
    expect(cluster.writes).toEqual([]);
  });

  it('retries a transient cluster failure with a delayed re-enqueue, then blocks at the deadline', async () => {
    // Prepare
    const pipeline = createPipeline({
      config: { retrySeconds: 20, stageDeadlinesSeconds: { validate: 60 } },
    });
    const { cluster } = await pipeline.addCluster('prod-1', {
      installed: '3.18.2',
      platformVersion: '4.0.0',
    });
    cluster.failNext('listRedisInstances', new TransientError('GET redis: HTTP 503'), 10);
    const { job } = await pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1' });
    // Act
    await pipeline.deliverNext();
    const waiting = await pipeline.job(job.id);
    const retry = pipeline.queue.peek()[0];
    await pipeline.run();
    // Assess
    expect(waiting).toMatchObject({
      state: 'validating',
      step: { waitingFor: 'GET redis: HTTP 503 (retry 1 in 20s)', retries: 1 },
    });
    expect(retry).toMatchObject({ delaySeconds: 20, message: { stage: 'validate', seq: waiting.version } });
    const ended = await pipeline.job(job.id);
    expect(ended.state).toBe('blocked');
    expect(ended.reason).toBe('validate gave up after 1m: GET redis: HTTP 503');
    // A rollout reads this: the cluster was unreachable, not refused by a gate.
    expect(ended).toMatchObject({ unreachable: true });
    // Backing off: tries at 0 s, 20 s and 60 s (the deadline).
    expect(attemptsByStageAndHop(ended.attempts)['validate:0']).toBe(3);
    expect(cluster.writes).toEqual([]);
  });

  it('blocks a job whose cluster was removed from the registry', async () => {
    // Prepare
    const pipeline = createPipeline();
    await pipeline.addCluster('prod-1', { installed: '3.18.2' });
    const { job } = await pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1' });
    pipeline.gateway.clusters.delete('prod-1');
    // Act
    await pipeline.deliverNext();
    // Assess
    expect(await pipeline.job(job.id)).toMatchObject({
      state: 'blocked',
      reason: 'no fake cluster named prod-1',
    });
    expect(await pipeline.job(job.id)).not.toHaveProperty('unreachable');
  });
});
