import { describe, expect, it } from 'vitest';
import type { StageSeconds } from '#domain/job.ts';
import { WATCHED_WAIT_POLLS } from '#domain/poll-cadence.ts';
import { createPipeline } from '#test/fakes/pipeline.ts';
import { RecordingWaker } from '#test/fakes/waker.ts';
import type { PipelineConfigInput } from '#usecases/pipeline-config.ts';

const CSV = 'redis-operator.v4.0.3';
const POLLS: PipelineConfigInput = { pollSeconds: { 'patch-subscription': 30, verify: 15 } };

const HOP_IN_CHANNEL = { installed: '3.18.2', to: '4.2.1', platform: '4.0.0' };

async function at(
  state: 'uploading' | 'patching' | 'verifying',
  config: PipelineConfigInput = POLLS,
  expectedWaits?: StageSeconds,
  { installed, to, platform } = HOP_IN_CHANNEL,
) {
  const waker = new RecordingWaker();
  const pipeline = createPipeline({ config, waker });
  const { cluster, olm } = await pipeline.addCluster('prod-1', { installed, platformVersion: platform });
  const job = await pipeline.seedAt(state, {
    cluster: 'prod-1',
    from: installed,
    to,
    platform,
    ...(expectedWaits ? { expectedWaits } : {}),
  });
  return { pipeline, waker, cluster, olm, job };
}

describe('waits that wake on change', () => {
  it('sends a watched wait at the safety-net delay and hands the waker that very message', async () => {
    // Prepare: the install has not begun
    const { pipeline, waker, job } = await at('verifying');
    const start = pipeline.clock.now();
    // Act
    await pipeline.deliverNext();
    // Assess
    const waiting = await pipeline.job(job.id);
    const [sent] = pipeline.queue.peek();
    expect(sent?.delaySeconds).toBe(15 * WATCHED_WAIT_POLLS);
    expect(waker.wakes).toEqual([
      {
        jobId: job.id,
        cluster: 'prod-1',
        condition: { kind: 'csv-settled', csv: CSV },
        queue: 'verify',
        messageId: sent?.message.id,
        dueAt: new Date(start.getTime() + 15 * WATCHED_WAIT_POLLS * 1000),
      },
    ]);
    expect(waiting.step?.waitingFor).toBe(`${CSV} is not created yet, waiting for Succeeded`);
  });

  it('polls at the usual cadence when the waker has no room for another watch', async () => {
    // Prepare
    const { pipeline, waker } = await at('verifying');
    waker.room = false;
    // Act
    await pipeline.deliverNext();
    // Assess
    expect(pipeline.queue.peek()[0]?.delaySeconds).toBe(15);
    expect(waker.wakes).toEqual([]);
  });

  it("ends the job's watch when a commit wakes on nothing: a wait that polls, a cancel honoured", async () => {
    // Prepare: one job waits with no room for a watch; another's cancel request reaches its stage
    const polling = await at('verifying');
    polling.waker.room = false;
    const cancelling = await at('patching');
    cancelling.pipeline.jobs.seed({ ...cancelling.job, cancelRequested: true });
    // Act
    await polling.pipeline.deliverNext();
    await cancelling.pipeline.deliverNext();
    // Assess
    expect(polling.waker.releases).toEqual([polling.job.id]);
    expect(cancelling.waker.releases).toEqual([cancelling.job.id]);
    expect(await cancelling.pipeline.job(cancelling.job.id)).toMatchObject({ state: 'cancelled' });
  });

  it('ends no watch when the commit is watched: the new wait replaces the older one', async () => {
    // Prepare
    const { pipeline, waker } = await at('verifying');
    // Act
    await pipeline.deliverNext();
    // Assess
    expect(waker.wakes).toHaveLength(1);
    expect(waker.releases).toEqual([]);
  });

  it('never lets the safety net run past the stage deadline', async () => {
    // Prepare: 100 s of the 120 s deadline are gone when the wait is committed
    const { pipeline, job } = await at('verifying', { ...POLLS, stageDeadlinesSeconds: { verify: 120 } });
    pipeline.clock.advance(100);
    // Act
    await pipeline.deliverNext();
    const waiting = pipeline.queue.peek()[0];
    await pipeline.deliverNext();
    // Assess: the check comes at the deadline, and ends the job there
    expect(waiting?.delaySeconds).toBe(20);
    expect(await pipeline.job(job.id)).toMatchObject({ state: 'failed' });
  });

  it('delays the next stage first look until what it waits for happens: the catalog sync, then the install', async () => {
    // Prepare: the catalog has not offered the upload yet
    const { pipeline, waker, olm, job } = await at('patching');
    // Act
    await pipeline.deliverNext();
    const offered = pipeline.queue.peek()[0];
    olm.offer('stable', CSV);
    await pipeline.deliverNext();
    const verify = pipeline.queue.peek()[0];
    // Assess
    expect(offered?.delaySeconds).toBe(30 * WATCHED_WAIT_POLLS);
    expect(verify).toMatchObject({ queue: 'verify', delaySeconds: 15 * WATCHED_WAIT_POLLS });
    expect(waker.wakes.map((wake) => [wake.queue, wake.condition, wake.messageId])).toEqual([
      [
        'patch-subscription',
        { kind: 'channel-offers', packageName: 'redis-operator', channel: 'stable', csv: CSV },
        offered?.message.id,
      ],
      ['verify', { kind: 'csv-settled', csv: CSV }, verify?.message.id],
    ]);
    expect(await pipeline.job(job.id)).toMatchObject({ state: 'verifying' });
  });

  it("wakes patch-subscription's first look on OLM's InstallPlan for the hop, which follows the catalog sync", async () => {
    // Prepare: the catalog will not sync the upload yet
    const { pipeline, waker, olm } = await at('uploading');
    olm.syncOnPush = false;
    // Act
    await pipeline.deliverNext();
    const patching = pipeline.queue.peek()[0];
    // Assess
    expect(patching).toMatchObject({ queue: 'patch-subscription', delaySeconds: 30 * WATCHED_WAIT_POLLS });
    expect(waker.wakes.map((wake) => [wake.condition, wake.messageId])).toEqual([
      [{ kind: 'plan-ready', csv: CSV }, patching?.message.id],
    ]);
  });

  it('wakes it on the catalog instead when the hop moves the Subscription to another channel', async () => {
    // Prepare: 4.2.1 -> 5.0.0 moves to stable-v5, where OLM plans nothing before the move
    const { pipeline, waker, olm } = await at('uploading', POLLS, undefined, {
      installed: '4.2.1',
      to: '5.0.0',
      platform: '4.2.0',
    });
    olm.syncOnPush = false;
    // Act
    await pipeline.deliverNext();
    // Assess
    expect(waker.wakes.map((wake) => wake.condition)).toEqual([
      {
        kind: 'channel-offers',
        packageName: 'redis-operator',
        channel: 'stable-v5',
        csv: 'redis-operator.v5.0.0',
      },
    ]);
  });

  it('does not watch a first look the earlier jobs timed, and watches the wait that look finds', async () => {
    // Prepare: earlier jobs took 4 minutes in verify; the catalog offers the hop, whose install will not begin
    const { pipeline, waker, cluster, olm, job } = await at('patching', POLLS, { verify: 240 });
    olm.offer('stable', CSV);
    cluster.onApprove = undefined;
    // Act: approve, then the first look at verify finds the install not begun
    await pipeline.deliverNext();
    const firstLook = pipeline.queue.peek()[0];
    const wakesAfterApproval = waker.wakes.length;
    pipeline.clock.advance(240);
    await pipeline.deliverNext();
    const afterLook = pipeline.queue.peek()[0];
    // Assess: the look comes at the earlier jobs' time, unwatched; the wait after it is watched
    expect(firstLook).toMatchObject({ queue: 'verify', delaySeconds: 240 });
    expect(wakesAfterApproval).toBe(0);
    expect(afterLook?.delaySeconds).toBe(15 * WATCHED_WAIT_POLLS);
    expect(waker.wakes.map((wake) => [wake.condition, wake.messageId])).toEqual([
      [{ kind: 'csv-settled', csv: CSV }, afterLook?.message.id],
    ]);
    expect((await pipeline.job(job.id)).step?.waitingFor).toBe(
      `${CSV} is not created yet, waiting for Succeeded`,
    );
  });

  it('watches the first rolling instance while the new operator rolls them', async () => {
    // Prepare: the CSV Succeeded; one instance is rebalancing
    const { pipeline, waker, cluster } = await at('verifying');
    const csv = `redis-operator.v4.0.3`;
    cluster.state.csvs.push({ name: csv, version: '4.0.3', phase: 'Succeeded' });
    cluster.state.subscription.installedCSV = csv;
    const rolling = cluster.state.instances[1];
    if (!rolling) throw new Error('the healthy cluster has instances');
    Object.assign(rolling, { healthy: false, status: 'Rebalancing' });
    // Act
    await pipeline.deliverNext();
    // Assess
    expect(waker.wakes.map((wake) => wake.condition)).toEqual([
      {
        kind: 'instance-healthy',
        instance: { kind: rolling.kind, namespace: rolling.namespace, name: rolling.name },
      },
    ]);
  });

  it('watches the InstallPlan while OLM unpacks its bundle, to approve it once it is unpacked', async () => {
    // Prepare: the catalog offers the hop, and OLM's plan for it is still unpacking
    const { pipeline, waker, cluster, olm } = await at('patching');
    olm.offer('stable', CSV);
    const plan = cluster.state.installPlans.at(-1);
    if (!plan) throw new Error('OLM made a plan');
    const pending = {
      type: 'BundleLookupPending',
      status: 'True',
      reason: 'JobIncomplete',
      message: 'unpacking',
    };
    plan.bundleLookups = [{ identifier: CSV, path: 'bundle:v4.0.3', conditions: [pending] }];
    // Act
    await pipeline.deliverNext();
    // Assess
    expect(waker.wakes.map((wake) => wake.condition)).toEqual([
      { kind: 'plan-unpacked', namespace: plan.namespace, name: plan.name },
    ]);
    expect(pipeline.queue.peek()[0]?.delaySeconds).toBe(30 * WATCHED_WAIT_POLLS);
  });
});
