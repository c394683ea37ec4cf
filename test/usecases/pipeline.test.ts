import { describe, expect, it } from 'vitest';
import type { Approval } from '#domain/cluster-views.ts';
import { UpgraderError } from '#domain/errors.ts';
import { createPipeline } from '#test/fakes/pipeline.ts';

async function upgrade(
  options: {
    approval?: Approval;
    installed?: string;
    platform?: string;
    to?: string;
    duplicate?: boolean;
  } = {},
) {
  const pipeline = createPipeline();
  const added = await pipeline.addCluster('prod-1', {
    installed: options.installed ?? '3.18.2',
    platformVersion: options.platform ?? '4.0.0',
    approval: options.approval ?? 'Manual',
  });
  const { job } = await pipeline.create({ cluster: 'prod-1', targetVersion: options.to ?? '4.2.1' });
  const deliveries = await pipeline.run({ duplicate: options.duplicate ?? false });
  return { pipeline, ...added, job: await pipeline.job(job.id), deliveries };
}

const approvals = (writes: { op: string; target: string }[]) =>
  writes.filter((write) => write.op === 'approveInstallPlan');

describe('the pipeline over fakes', () => {
  it('never passes verify while a Redis instance seen by validate is missing after the install', async () => {
    // Prepare: the DistributedRedisCluster disappears once the first hop's plan is approved
    const pipeline = createPipeline({ config: { stageDeadlinesSeconds: { verify: 600 } } });
    const { cluster } = await pipeline.addCluster('prod-1', {
      installed: '3.18.2',
      platformVersion: '4.0.0',
    });
    const approve = cluster.onApprove;
    cluster.onApprove = (plan) => {
      approve?.(plan);
      cluster.state.instances = cluster.state.instances.filter((i) => i.kind !== 'DistributedRedisCluster');
    };
    const { job } = await pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1' });
    // Act
    await pipeline.run();
    // Assess
    const after = await pipeline.job(job.id);
    expect(after).toMatchObject({ state: 'failed', hop: 0 });
    expect(after.reason).toContain('DistributedRedisCluster analytics/events is missing');
    expect(approvals(cluster.writes)).toHaveLength(1);
  });

  it('upgrades a Manual cluster through the planned hops, pushing and approving once per hop', async () => {
    // Act
    const { pipeline, cluster, job } = await upgrade();
    // Assess
    expect(job.state).toBe('succeeded');
    expect(job.plan?.map((hop) => `${hop.from}->${hop.to}`)).toEqual(['3.18.2->4.0.3', '4.0.3->4.2.1']);
    expect(cluster.state.subscription.installedCSV).toBe('redis-operator.v4.2.1');
    expect(pipeline.uploader.pushes.map((push) => push.file.split('/').pop())).toEqual([
      'redis-operator.stable.ALL.v4.0.3.tgz',
      'redis-operator.stable.ALL.v4.2.1.tgz',
    ]);
    expect(approvals(cluster.writes)).toHaveLength(2);
    expect(job.transitions.map((t) => `${t.to}@${t.hop}`)).toEqual([
      'validating@0',
      'checking-backup@0',
      'uploading@0',
      'patching@0',
      'verifying@0',
      'uploading@1',
      'patching@1',
      'verifying@1',
      'succeeded@1',
    ]);
  });

  it('upgrades an Automatic cluster without approving anything', async () => {
    // Act
    const { cluster, job } = await upgrade({ approval: 'Automatic' });
    // Assess
    expect(job.state).toBe('succeeded');
    expect(cluster.calls.approveInstallPlan).toBeUndefined();
    expect(cluster.state.subscription.installedCSV).toBe('redis-operator.v4.2.1');
  });

  it('moves the Subscription to the new channel for a hop into the next major', async () => {
    // Act
    const { cluster, job } = await upgrade({ installed: '4.2.1', platform: '4.2.0', to: '5.0.0' });
    // Assess
    expect(job.state).toBe('succeeded');
    expect(cluster.writes.map((write) => write.op)).toEqual([
      'patchSubscriptionChannel',
      'approveInstallPlan',
    ]);
    expect(cluster.state.subscription).toMatchObject({
      channel: 'stable-v5',
      installedCSV: 'redis-operator.v5.0.0',
    });
  });

  it('ends the same way when every message is delivered twice: one push and one approval per hop', async () => {
    // Act
    const once = await upgrade();
    const twice = await upgrade({ duplicate: true });
    // Assess
    expect(twice.job.state).toBe('succeeded');
    expect(twice.job.transitions.map((t) => `${t.from}->${t.to}@${t.hop}`)).toEqual(
      once.job.transitions.map((t) => `${t.from}->${t.to}@${t.hop}`),
    );
    expect(twice.pipeline.uploader.pushes).toHaveLength(2);
    expect(approvals(twice.cluster.writes)).toHaveLength(2);
    expect(twice.pipeline.downloader.downloads).toHaveLength(2);
  });

  it('downloads each version once for a fleet of clusters', async () => {
    // Prepare
    const pipeline = createPipeline();
    const names = ['prod-1', 'prod-2', 'prod-3'];
    for (const name of names)
      await pipeline.addCluster(name, { installed: '3.18.2', platformVersion: '4.0.0' });
    const jobs = [];
    for (const cluster of names) jobs.push((await pipeline.create({ cluster, targetVersion: '4.2.1' })).job);
    // Act
    await pipeline.run();
    // Assess
    for (const job of jobs) expect((await pipeline.job(job.id)).state).toBe('succeeded');
    expect(pipeline.downloader.downloads.map((url) => url.split('/').pop())).toEqual([
      'redis-operator.stable.ALL.v4.0.3.tgz',
      'redis-operator.stable.ALL.v4.2.1.tgz',
    ]);
    expect(pipeline.uploader.pushes).toHaveLength(6);
  });

  it('says where a job that failed between hops left the cluster, and a new job to the target continues from there', async () => {
    // Prepare: the second hop's push is refused until the token is fixed
    const pipeline = createPipeline();
    const { cluster } = await pipeline.addCluster('prod-1', {
      installed: '3.18.2',
      platformVersion: '4.0.0',
    });
    let refused = true;
    pipeline.uploader.whilePushing = async (push) => {
      if (refused && push.file.endsWith('v4.2.1.tgz'))
        throw new UpgraderError('UPLOAD_FAILED', 'violet push: 403 Forbidden');
    };
    const first = (await pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1' })).job;
    await pipeline.run();
    const failed = await pipeline.job(first.id);
    refused = false;

    // Act
    const second = (await pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1' })).job;
    await pipeline.run();

    // Assess
    expect(failed).toMatchObject({ state: 'failed', hop: 1 });
    expect(failed.reason).toBe(
      'violet push: 403 Forbidden. Note: the cluster is on 4.0.3, verified after 1 of 2 hops; ' +
        'a new upgrade to 4.2.1 reads the installed version and continues from there',
    );
    const resumed = await pipeline.job(second.id);
    expect(resumed.state).toBe('succeeded');
    expect(resumed.plan?.map((hop) => `${hop.from}->${hop.to}`)).toEqual(['4.0.3->4.2.1']);
    expect(cluster.state.subscription.installedCSV).toBe('redis-operator.v4.2.1');
  });

  it('fails with the reason from the cluster when the install fails', async () => {
    // Prepare
    const pipeline = createPipeline();
    const { olm } = await pipeline.addCluster('prod-1', { installed: '3.18.2', platformVersion: '4.0.0' });
    olm.installOutcome = 'Failed';
    const { job } = await pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1' });
    // Act
    await pipeline.run();
    // Assess
    expect(await pipeline.job(job.id)).toMatchObject({
      state: 'failed',
      hop: 0,
      reason:
        'redis-operator.v4.0.3 Failed: install strategy failed: deployment redis-operator not available. ' +
        "Note: the install of 4.0.3 (hop 1 of 2) had been started, so the cluster is on 3.18.2 or 4.0.3 (see the Subscription's installedCSV); " +
        'a new upgrade to 4.2.1 reads the installed version and continues from there',
    });
  });
});
