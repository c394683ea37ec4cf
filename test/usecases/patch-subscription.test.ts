import { describe, expect, it } from 'vitest';
import type { Approval, InstallPlanView } from '#domain/cluster-views.ts';
import { ConflictError, NotFoundError } from '#domain/errors.ts';
import type { StageSeconds } from '#domain/job.ts';
import { attemptsByStageAndHop } from '#domain/job-progress.ts';
import { createPipeline } from '#test/fakes/pipeline.ts';
import { RESOLUTION_POLLS } from '#usecases/patch-subscription.ts';
import type { PipelineConfigInput } from '#usecases/pipeline-config.ts';

const CSV = 'redis-operator.v4.0.3';

interface SetUp {
  installed?: string;
  to?: string;
  platform?: string;
  approval?: Approval;
  config?: PipelineConfigInput;
  expectedWaits?: StageSeconds;
}

async function atPatching(setUp: SetUp = {}) {
  const pipeline = createPipeline(setUp.config ? { config: setUp.config } : {});
  const installed = setUp.installed ?? '3.18.2';
  const platform = setUp.platform ?? '4.0.0';
  const { cluster, olm } = await pipeline.addCluster('prod-1', {
    installed,
    platformVersion: platform,
    approval: setUp.approval ?? 'Manual',
  });
  const job = await pipeline.seedAt('patching', {
    cluster: 'prod-1',
    from: installed,
    to: setUp.to ?? '4.2.1',
    platform,
    ...(setUp.expectedWaits ? { expectedWaits: setUp.expectedWaits } : {}),
  });
  return { pipeline, cluster, olm, job };
}

function pendingPlan(name: string, csvNames: string[], resourceVersion = '50'): InstallPlanView {
  return {
    name,
    namespace: 'redis-system',
    csvNames,
    approval: 'Manual',
    approved: false,
    phase: 'RequiresApproval',
    resourceVersion,
  };
}

describe('patch-subscription stage', () => {
  it('waits by delayed re-enqueue until the PackageManifest offers the CSV, then approves the exact plan', async () => {
    // Prepare
    const { pipeline, cluster, olm, job } = await atPatching({
      config: { pollSeconds: { 'patch-subscription': 30 } },
    });
    // Act
    await pipeline.deliverNext();
    const waiting = await pipeline.job(job.id);
    const poll = pipeline.queue.peek()[0];
    olm.offer('stable', CSV);
    await pipeline.deliverNext();
    // Assess
    expect(waiting.step?.waitingFor).toBe(
      'PackageManifest redis-operator channel stable does not offer redis-operator.v4.0.3 yet (offers nothing)',
    );
    expect(poll).toMatchObject({
      delaySeconds: 30,
      message: { stage: 'patch-subscription', seq: waiting.version },
    });
    const after = await pipeline.job(job.id);
    expect(after).toMatchObject({ state: 'verifying', noReturnHop: 0 });
    expect(after.transitions.at(-1)?.reason).toBe(
      `approved InstallPlan redis-system/install-prod-1-1 (exactly ${CSV})`,
    );
    expect(cluster.writes).toEqual([{ op: 'approveInstallPlan', target: 'redis-system/install-prod-1-1' }]);
  });

  it('looks again when the earlier jobs of its rollout were done patching, then polls from there', async () => {
    // Prepare
    const { pipeline, olm, job } = await atPatching({
      config: { pollSeconds: { 'patch-subscription': 30 } },
      expectedWaits: { 'patch-subscription': 900, verify: 240 },
    });
    // Act: the first look finds the catalog behind; so does the one at 900 s
    await pipeline.deliverNext();
    const first = pipeline.queue.peek()[0];
    await pipeline.deliverNext();
    const second = pipeline.queue.peek()[0];
    olm.offer('stable', CSV);
    await pipeline.deliverNext();
    const verifying = await pipeline.job(job.id);
    const verify = pipeline.queue.peek()[0];
    // Assess
    expect(first?.delaySeconds).toBe(900);
    expect(second?.delaySeconds).toBe(60);
    expect(verifying.state).toBe('verifying');
    expect(verifying.step?.waitingFor).toBe('the first look, 4m in: earlier upgrades took 4m in verify');
    expect(verify).toMatchObject({ delaySeconds: 240, message: { stage: 'verify' } });
  });

  it('looks at once on entering a stage the earlier jobs of its rollout did not wait in', async () => {
    // Prepare
    const { pipeline, olm, job } = await atPatching({
      config: { pollSeconds: { 'patch-subscription': 30, verify: 30 } },
      expectedWaits: { verify: 20 },
    });
    olm.offer('stable', CSV);
    // Act
    await pipeline.deliverNext();
    // Assess
    expect((await pipeline.job(job.id)).step).toBeUndefined();
    expect(pipeline.queue.peek()[0]).toMatchObject({ message: { stage: 'verify' } });
    expect(pipeline.queue.peek()[0]?.delaySeconds ?? 0).toBe(0);
  });

  it('logs a wait when it starts and a poll that found the same only at debug', async () => {
    // Prepare
    const { pipeline, olm } = await atPatching();
    // Act: two polls find the catalog behind, the third the CSV offered
    await pipeline.deliverNext();
    await pipeline.deliverNext();
    olm.offer('stable', CSV);
    await pipeline.deliverNext();
    // Assess
    const lines = pipeline.log.lines.filter((l) => l.message === 'waiting' || l.message === 'transition');
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ['info', 'waiting'],
      ['debug', 'waiting'],
      ['info', 'transition'],
    ]);
    expect(lines[1]?.attributes.waitingFor).toBe(lines[0]?.attributes.waitingFor);
  });

  it('fails at the deadline when the catalog never offers the CSV', async () => {
    // Prepare
    const { pipeline, cluster, job } = await atPatching({
      config: {
        stageDeadlinesSeconds: { 'patch-subscription': 900 },
        pollSeconds: { 'patch-subscription': 60 },
      },
    });
    // Act
    await pipeline.run();
    // Assess
    const after = await pipeline.job(job.id);
    expect(after.state).toBe('failed');
    expect(after.reason).toBe(
      'patch-subscription gave up after 15m: PackageManifest redis-operator channel stable does not offer redis-operator.v4.0.3 yet (offers nothing)',
    );
    // Polls that keep finding the same thing back off (#domain/poll-cadence.ts): 60, 120, 240, 480 s.
    expect(attemptsByStageAndHop(after.attempts)['patch-subscription:0']).toBe(5);
    expect(
      pipeline.queue.sent.filter((s) => s.message.stage === 'patch-subscription').map((s) => s.delaySeconds),
    ).toEqual([0, 60, 120, 240, 480]);
    expect(cluster.writes).toEqual([]);
  });

  it("moves the Subscription to the hop's channel, then approves the plan OLM resolves there", async () => {
    // Prepare: 4.2.1 -> 5.0.0 changes channel to stable-v5
    const { pipeline, cluster, olm, job } = await atPatching({
      installed: '4.2.1',
      to: '5.0.0',
      platform: '4.2.0',
    });
    olm.offer('stable-v5', 'redis-operator.v5.0.0');
    // Act
    await pipeline.deliverNext();
    await pipeline.deliverNext();
    // Assess
    expect(cluster.writes).toEqual([
      { op: 'patchSubscriptionChannel', target: 'stable-v5' },
      { op: 'approveInstallPlan', target: 'redis-system/install-prod-1-1' },
    ]);
    expect((await pipeline.job(job.id)).state).toBe('verifying');
  });

  it('does not move the channel when a cancel lands while the stage reads the Subscription', async () => {
    // Prepare: 4.2.1 -> 5.0.0 changes channel; the cancel commits while the step is under way
    const { pipeline, cluster, olm, job } = await atPatching({
      installed: '4.2.1',
      to: '5.0.0',
      platform: '4.2.0',
    });
    olm.offer('stable-v5', 'redis-operator.v5.0.0');
    const read = cluster.readSubscription.bind(cluster);
    cluster.readSubscription = async () => {
      const subscription = await read();
      await pipeline.cancel({ jobId: job.id });
      return subscription;
    };
    // Act
    await pipeline.deliverNext();
    // Assess
    expect((await pipeline.job(job.id)).state).toBe('cancelled');
    expect(cluster.writes).toEqual([]);
    expect(cluster.state.subscription.channel).toBe('stable');
  });

  it('still names the channel it moved when the job crashed right after the channel patch', async () => {
    // Prepare: the channel patch lands, then the store fails the commit that would record it
    const { pipeline, cluster, olm, job } = await atPatching({
      installed: '4.2.1',
      to: '5.0.0',
      platform: '4.2.0',
    });
    olm.offer('stable-v5', 'redis-operator.v5.0.0');
    cluster.onChannelPatch = () => {
      pipeline.jobs.beforeUpdate = () => {
        pipeline.jobs.beforeUpdate = undefined;
        throw new Error('process killed');
      };
      cluster.state.installPlans.push(
        pendingPlan('install-merged', ['redis-operator.v5.0.0', 'cert-manager.v1.14.0']),
      );
    };
    const queued = pipeline.queue.take();
    const handler = pipeline.stages['patch-subscription'];
    if (!queued || !handler) throw new Error('set-up');
    // Act: the crash, then the queue's redelivery of the same message
    await expect(handler(structuredClone(queued.message))).rejects.toThrow('process killed');
    await handler(structuredClone(queued.message));
    // Assess
    const after = await pipeline.job(job.id);
    expect(after.state).toBe('blocked');
    expect(after.reason).toContain(
      'the Subscription was moved from channel stable to stable-v5 for this hop; move it back to stable',
    );
    expect(cluster.writes).toEqual([{ op: 'patchSubscriptionChannel', target: 'stable-v5' }]);
  });

  it('blocks on a merged InstallPlan and never approves it', async () => {
    // Prepare
    const { pipeline, cluster, job } = await atPatching();
    cluster.state.offered.stable = [CSV];
    cluster.state.installPlans.push(pendingPlan('install-merged', [CSV, 'cert-manager.v1.14.0']));
    // Act
    await pipeline.deliverNext();
    // Assess
    const after = await pipeline.job(job.id);
    expect(after.state).toBe('blocked');
    expect(after.reason).toContain(
      'InstallPlan redis-system/install-merged is a merged plan: besides redis-operator.v4.0.3 it would install cert-manager.v1.14.0',
    );
    expect(cluster.writes).toEqual([]);
    expect(cluster.state.installPlans.every((plan) => plan.name !== 'install-merged' || !plan.approved)).toBe(
      true,
    );
    expect(after.noReturnHop).toBeUndefined();
  });

  it('blocks on an InstallPlan beyond the hop target and never approves it', async () => {
    // Prepare
    const { pipeline, cluster, job } = await atPatching();
    cluster.state.offered.stable = [CSV, 'redis-operator.v4.2.1'];
    cluster.state.installPlans.push(pendingPlan('install-ahead', ['redis-operator.v4.2.1']));
    // Act
    await pipeline.deliverNext();
    // Assess
    const after = await pipeline.job(job.id);
    expect(after.state).toBe('blocked');
    expect(after.reason).toContain(
      "OLM resolved redis-operator.v4.2.1 from redis-operator.v3.18.2 via the spec.replaces or spec.skips of redis-operator.v4.2.1, beyond this hop's target redis-operator.v4.0.3",
    );
    expect(cluster.writes).toEqual([]);
  });

  it('names the olm.skipRange of the channel head that took OLM beyond the hop target', async () => {
    // Prepare
    const { pipeline, cluster, job } = await atPatching();
    cluster.state.offered.stable = [CSV, 'redis-operator.v4.2.1'];
    cluster.state.heads = { stable: { csv: 'redis-operator.v4.2.1', skipRange: '>=3.14.0 <4.2.1' } };
    cluster.state.installPlans.push(pendingPlan('install-ahead', ['redis-operator.v4.2.1']));
    // Act
    await pipeline.deliverNext();
    // Assess
    expect((await pipeline.job(job.id)).reason).toMatch(
      /^OLM resolved redis-operator\.v4\.2\.1 from redis-operator\.v3\.18\.2 via olm\.skipRange >=3\.14\.0 <4\.2\.1, beyond this hop's target redis-operator\.v4\.0\.3: InstallPlan redis-system\/install-ahead/,
    );
    expect(cluster.writes).toEqual([]);
  });

  it.each([
    [
      'ResolutionFailed',
      [{ type: 'ResolutionFailed', status: 'True', reason: 'ConstraintsNotSatisfiable', message: 'no edge' }],
      `no bundle in channel stable replaces redis-operator.v3.18.2 (ResolutionFailed ConstraintsNotSatisfiable: no edge)`,
    ],
    [
      'the Subscription staying at its installed CSV',
      [],
      `no bundle in channel stable replaces redis-operator.v3.18.2: OLM stays at it (AtLatestKnown) and plans nothing, although the catalog offers ${CSV}`,
    ],
  ])(
    'gives OLM RESOLUTION_POLLS polls when it resolves nothing (%s), then fails naming the edge',
    async (_label, conditions, reason) => {
      // Prepare: the catalog offers the hop's CSV, OLM made no plan for it
      const { pipeline, cluster, job } = await atPatching({
        config: { pollSeconds: { 'patch-subscription': 30 } },
      });
      cluster.state.offered.stable = [CSV];
      cluster.state.subscription.conditions = conditions;
      // Act
      await pipeline.deliverNext();
      const waiting = await pipeline.job(job.id);
      await pipeline.run();
      // Assess
      expect(waiting.step).toMatchObject({
        waitingFor: `${reason}; waiting up to 5m for OLM to resolve`,
        unresolvedSince: expect.any(String),
      });
      const after = await pipeline.job(job.id);
      expect(after).toMatchObject({ state: 'failed', reason });
      expect(attemptsByStageAndHop(after.attempts)['patch-subscription:0']).toBe(RESOLUTION_POLLS + 1);
      expect(cluster.writes).toEqual([]);
    },
  );

  it('approves the plan OLM makes within those polls', async () => {
    // Prepare
    const { pipeline, cluster, olm, job } = await atPatching();
    cluster.state.offered.stable = [CSV];
    await pipeline.deliverNext();
    // Act: OLM catches up
    olm.resolve();
    await pipeline.deliverNext();
    // Assess
    expect((await pipeline.job(job.id)).state).toBe('verifying');
    expect(cluster.writes).toEqual([{ op: 'approveInstallPlan', target: 'redis-system/install-prod-1-1' }]);
  });

  it('never approves an Automatic-approval plan on a Manual subscription', async () => {
    // Prepare
    const { pipeline, cluster, job } = await atPatching();
    cluster.state.offered.stable = [CSV];
    cluster.state.installPlans.push({ ...pendingPlan('install-auto', [CSV]), approval: 'Automatic' });
    // Act
    await pipeline.deliverNext();
    // Assess
    const after = await pipeline.job(job.id);
    expect(after.state).toBe('blocked');
    expect(after.reason).toContain('has approval Automatic');
    expect(cluster.calls.approveInstallPlan).toBeUndefined();
    expect(after.noReturnHop).toBeUndefined();
  });

  it('treats a PackageManifest that does not exist yet as offering nothing', async () => {
    // Prepare
    const { pipeline, cluster, job } = await atPatching();
    cluster.failNext('readPackageChannel', new NotFoundError('packagemanifests "redis-operator" not found'));
    // Act
    await pipeline.deliverNext();
    // Assess
    expect(await pipeline.job(job.id)).toMatchObject({
      state: 'patching',
      step: { waitingFor: expect.stringContaining('does not offer redis-operator.v4.0.3 yet') },
    });
  });

  it('waits while the InstallPlan is still Planning', async () => {
    // Prepare
    const { pipeline, cluster, job } = await atPatching();
    cluster.state.offered.stable = [CSV];
    cluster.state.installPlans.push({ ...pendingPlan('install-p', [CSV]), phase: 'Planning' });
    // Act
    await pipeline.deliverNext();
    // Assess
    expect(await pipeline.job(job.id)).toMatchObject({
      state: 'patching',
      step: { waitingFor: `InstallPlan redis-system/install-p for ${CSV} is Planning` },
    });
    expect(cluster.writes).toEqual([]);
  });

  it('skips the approval on an Automatic subscription', async () => {
    // Prepare
    const { pipeline, cluster, olm, job } = await atPatching({ approval: 'Automatic' });
    olm.offer('stable', CSV);
    // Act
    await pipeline.deliverNext();
    // Assess
    const after = await pipeline.job(job.id);
    expect(after.state).toBe('verifying');
    expect(after.transitions.at(-1)?.reason).toBe(`Automatic approval: OLM installs ${CSV} by itself`);
    expect(after.noReturnHop).toBe(0);
    expect(cluster.calls.approveInstallPlan).toBeUndefined();
  });

  it('approves once when the message is delivered twice in a row', async () => {
    // Prepare
    const { pipeline, cluster, olm } = await atPatching();
    olm.offer('stable', CSV);
    // Act
    await pipeline.deliverNext(2);
    // Assess
    expect(cluster.calls.approveInstallPlan).toBe(1);
    expect(cluster.writes).toHaveLength(1);
  });

  it('approves once when two copies of the message run at the same time', async () => {
    // Prepare
    const { pipeline, cluster, olm, job } = await atPatching();
    olm.offer('stable', CSV);
    const queued = pipeline.queue.take();
    const handler = pipeline.stages['patch-subscription'];
    if (!queued || !handler) throw new Error('set-up');
    // Act
    await Promise.all([handler(structuredClone(queued.message)), handler(structuredClone(queued.message))]);
    // Assess
    expect(cluster.writes.filter((write) => write.op === 'approveInstallPlan')).toHaveLength(1);
    expect((await pipeline.job(job.id)).state).toBe('verifying');
  });

  it('re-examines a plan that changed while being approved, and blocks when it became a merged plan', async () => {
    // Prepare
    const { pipeline, cluster, olm, job } = await atPatching({ config: { retrySeconds: 5 } });
    olm.offer('stable', CSV);
    cluster.failNext(
      'approveInstallPlan',
      new ConflictError('InstallPlan install-prod-1-1 changed', { code: 'CLUSTER_CONFLICT' }),
    );
    // Act
    await pipeline.deliverNext();
    const plan = cluster.state.installPlans.find((candidate) => candidate.name === 'install-prod-1-1');
    if (plan) plan.csvNames.push('other-operator.v2.0.0');
    await pipeline.deliverNext();
    // Assess
    const after = await pipeline.job(job.id);
    expect(after.state).toBe('blocked');
    expect(after.reason).toContain('is a merged plan');
    expect(cluster.writes).toEqual([]);
  });

  it('fails with the InstallPlan message when the plan for the target Failed', async () => {
    // Prepare
    const { pipeline, cluster, job } = await atPatching();
    cluster.state.offered.stable = [CSV];
    cluster.state.installPlans.push({
      ...pendingPlan('install-f', [CSV]),
      phase: 'Failed',
      message: 'unpack job timed out',
    });
    // Act
    await pipeline.deliverNext();
    // Assess
    expect(await pipeline.job(job.id)).toMatchObject({
      state: 'failed',
      reason: `InstallPlan redis-system/install-f for ${CSV} Failed: unpack job timed out`,
    });
  });
});
