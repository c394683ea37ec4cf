import { describe, expect, it } from 'vitest';
import { historySlot } from '#domain/wait-history.ts';
import { createPipeline } from '#test/fakes/pipeline.ts';
import type { PipelineConfigInput } from '#usecases/pipeline-config.ts';

/** A job verifying hop `hop` of its upgrade to 4.2.1 from `from` (two hops from 3.18.2, one from 4.0.3). */
async function atVerify(hop: number, config: PipelineConfigInput = {}, from = '3.18.2') {
  const pipeline = createPipeline({ config });
  const { cluster } = await pipeline.addCluster('prod-1', { installed: from, platformVersion: '4.0.0' });
  const job = await pipeline.seedAt('verifying', {
    cluster: 'prod-1',
    from,
    to: '4.2.1',
    platform: '4.0.0',
    hop,
  });
  return { pipeline, cluster, job };
}

function install(
  cluster: Awaited<ReturnType<typeof atVerify>>['cluster'],
  version: string,
  phase = 'Succeeded',
) {
  const csv = `redis-operator.v${version}`;
  cluster.state.csvs.push({ name: csv, version, phase });
  cluster.state.subscription.installedCSV = csv;
  cluster.state.subscription.currentCSV = csv;
}

describe('verify stage', () => {
  it('starts the next hop once the target CSV Succeeded and every instance is healthy', async () => {
    // Prepare
    const { pipeline, cluster, job } = await atVerify(0);
    install(cluster, '4.0.3');
    // Act
    await pipeline.deliverNext();
    // Assess
    const after = await pipeline.job(job.id);
    expect(after).toMatchObject({ state: 'uploading', hop: 1 });
    expect(after.transitions.at(-1)?.reason).toBe(
      'hop 1/2 (3.18.2 -> 4.0.3) verified; starting hop 2/2 (4.0.3 -> 4.2.1)',
    );
    expect(pipeline.queue.peek()[0]?.message).toMatchObject({
      stage: 'upload-package',
      hop: 1,
      seq: after.version,
    });
  });

  it('succeeds after the last hop', async () => {
    // Prepare
    const { pipeline, cluster, job } = await atVerify(1);
    install(cluster, '4.2.1');
    // Act
    await pipeline.deliverNext();
    // Assess
    expect(await pipeline.job(job.id)).toMatchObject({
      state: 'succeeded',
      reason: 'cluster runs 4.2.1 (redis-operator.v4.2.1) and every Redis instance is healthy',
    });
    expect(pipeline.queue.size).toBe(0);
    expect(pipeline.notifier.typesFor(job.id)).toEqual(['upgrade.succeeded']);
  });

  it('leaves the stage times of a job that succeeded in the wait history, at the slot of its id', async () => {
    // Prepare: one hop, whose install takes one 30 s poll
    const { pipeline, cluster, job } = await atVerify(0, { pollSeconds: { verify: 30 } }, '4.0.3');
    await pipeline.deliverNext();
    install(cluster, '4.2.1');
    // Act
    await pipeline.deliverNext();
    // Assess
    const after = await pipeline.job(job.id);
    expect(after.state).toBe('succeeded');
    expect([...pipeline.waitHistory.slots]).toEqual([
      [
        historySlot(job.id),
        { seconds: expect.objectContaining({ 'patch-subscription': 0, verify: 30 }), at: after.finishedAt },
      ],
    ]);
  });

  it('succeeds a job whose stage times cannot be written to the wait history, and says so', async () => {
    // Prepare
    const { pipeline, cluster, job: told } = await atVerify(1);
    await pipeline.deliverNext();
    install(cluster, '4.2.1');
    pipeline.waitHistory.record = () => Promise.reject(new Error('table throttled'));
    // Act
    await pipeline.deliverNext();
    // Assess
    expect((await pipeline.job(told.id)).state).toBe('succeeded');
    expect(pipeline.log.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'could not record the stage times in the wait history',
      }),
    );
  });

  it('waits while the install runs and while instances recover, then moves on', async () => {
    // Prepare
    const { pipeline, cluster, job } = await atVerify(0, { pollSeconds: { verify: 15 } });
    // Act
    await pipeline.deliverNext();
    const installing = await pipeline.job(job.id);
    install(cluster, '4.0.3', 'Installing');
    await pipeline.deliverNext();
    const csvInstalling = await pipeline.job(job.id);
    const csv = cluster.state.csvs.at(-1);
    if (csv) csv.phase = 'Succeeded';
    const orders = cluster.state.instances[0];
    if (orders) Object.assign(orders, { healthy: false, status: 'Rebalancing' });
    await pipeline.deliverNext();
    const recovering = await pipeline.job(job.id);
    if (orders) Object.assign(orders, { healthy: true, status: 'Ready' });
    await pipeline.deliverNext();
    // Assess
    expect(installing.step?.waitingFor).toBe(
      'redis-operator.v4.0.3 is not created yet, waiting for Succeeded',
    );
    expect(csvInstalling.step?.waitingFor).toBe('redis-operator.v4.0.3 is Installing, waiting for Succeeded');
    expect(recovering.step?.waitingFor).toBe(
      'redis-operator.v4.0.3 Succeeded; waiting for Redis instances: Redis cache/orders is Rebalancing',
    );
    expect(await pipeline.job(job.id)).toMatchObject({ state: 'uploading', hop: 1 });
    expect(pipeline.queue.sent.slice(1, 4).map((queued) => queued.delaySeconds)).toEqual([15, 15, 15]);
  });

  it('reads no Subscription on a look that finds instances still rolling, and waits for one of them', async () => {
    // Prepare
    const { pipeline, cluster, job } = await atVerify(0);
    install(cluster, '4.0.3');
    const orders = cluster.state.instances[0];
    if (orders) Object.assign(orders, { healthy: false, status: 'Rebalancing' });
    // Act
    await pipeline.deliverNext();
    // Assess
    expect((await pipeline.job(job.id)).step?.waitingFor).toBe(
      'redis-operator.v4.0.3 Succeeded; waiting for Redis instances: Redis cache/orders is Rebalancing',
    );
    expect(cluster.calls).toMatchObject({ readCsv: 1, listRedisInstances: 1 });
    expect(cluster.calls.readSubscription).toBeUndefined();
  });

  it('waits for the Subscription to name the CSV once it Succeeded and every instance is healthy', async () => {
    // Prepare
    const { pipeline, cluster, job } = await atVerify(0);
    install(cluster, '4.0.3');
    cluster.state.subscription.installedCSV = 'redis-operator.v3.18.2';
    // Act
    await pipeline.deliverNext();
    // Assess
    expect(await pipeline.job(job.id)).toMatchObject({
      state: 'verifying',
      step: {
        waitingFor:
          "redis-operator.v4.0.3 Succeeded; waiting for the Subscription's installedCSV (redis-operator.v3.18.2) to name it",
      },
    });
  });

  it('fails with the CSV message when the install Failed', async () => {
    // Prepare
    const { pipeline, cluster, job } = await atVerify(0);
    cluster.state.csvs.push({
      name: 'redis-operator.v4.0.3',
      version: '4.0.3',
      phase: 'Failed',
      message: 'install strategy failed: deployment redis-operator not available',
    });
    // Act
    await pipeline.deliverNext();
    // Assess
    expect(await pipeline.job(job.id)).toMatchObject({
      state: 'failed',
      reason:
        'redis-operator.v4.0.3 Failed: install strategy failed: deployment redis-operator not available',
    });
  });

  it.each([
    ['no CSV yet', undefined],
    ['a Pending CSV', 'Pending'],
  ])('fails with the InstallPlan message when the plan Failed, leaving %s', async (_, csvPhase) => {
    // Prepare
    const { pipeline, cluster, job } = await atVerify(0);
    if (csvPhase)
      cluster.state.csvs.push({ name: 'redis-operator.v4.0.3', version: '4.0.3', phase: csvPhase });
    cluster.state.installPlans.push({
      name: 'install-x',
      namespace: 'redis-system',
      csvNames: ['redis-operator.v4.0.3'],
      approval: 'Manual',
      approved: true,
      phase: 'Failed',
      message: 'error validating existing CRs against new CRD schema',
    });
    cluster.state.subscription.installPlanRef = { name: 'install-x', namespace: 'redis-system' };
    // Act
    await pipeline.deliverNext();
    // Assess
    expect(await pipeline.job(job.id)).toMatchObject({
      state: 'failed',
      reason:
        'InstallPlan redis-system/install-x for redis-operator.v4.0.3 Failed: error validating existing CRs against new CRD schema',
    });
  });

  it('reads no InstallPlan while the CSV installs: its requirements, which the plan creates, are met', async () => {
    // Prepare
    const { pipeline, cluster, job } = await atVerify(0);
    install(cluster, '4.0.3', 'Installing');
    // Act
    await pipeline.deliverNext();
    // Assess
    expect((await pipeline.job(job.id)).step?.waitingFor).toBe(
      'redis-operator.v4.0.3 is Installing, waiting for Succeeded',
    );
    expect(cluster.calls).toEqual({ readCsv: 1 });
  });

  it('fails at the deadline naming the instances that did not recover', async () => {
    // Prepare
    const { pipeline, cluster, job } = await atVerify(1, { stageDeadlinesSeconds: { verify: 120 } });
    install(cluster, '4.2.1');
    const events = cluster.state.instances[3];
    if (events) Object.assign(events, { healthy: false, status: 'Failed' });
    // Act
    await pipeline.run();
    // Assess
    expect(await pipeline.job(job.id)).toMatchObject({
      state: 'failed',
      reason:
        'verify gave up after 2m: redis-operator.v4.2.1 Succeeded; waiting for Redis instances: DistributedRedisCluster analytics/events is Failed. ' +
        'Note: the cluster is on 4.0.3, verified after 1 of 2 hops; a new upgrade to 4.2.1 reads the installed version and continues from there',
    });
  });
});
