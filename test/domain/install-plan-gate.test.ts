import { describe, expect, it } from 'vitest';
import type { InstallPlanView, SubscriptionView } from '#domain/cluster-views.ts';
import { checkForeignPendingPlans, decideInstallPlan, unpackSettled } from '#domain/install-plan-gate.ts';

const target = { packageName: 'redis-operator', csv: 'redis-operator.v4.0.3' };

function plan(name: string, csvNames: string[], fields: Partial<InstallPlanView> = {}): InstallPlanView {
  return {
    name,
    namespace: 'redis-system',
    csvNames,
    approval: 'Manual',
    approved: false,
    phase: 'RequiresApproval',
    resourceVersion: '7',
    ...fields,
  };
}

function subscription(fields: Partial<SubscriptionView> = {}): SubscriptionView {
  return {
    namespace: 'redis-system',
    name: 'redis-operator',
    channel: 'stable',
    approval: 'Manual',
    installedCSV: 'redis-operator.v3.16.2',
    currentCSV: 'redis-operator.v3.16.2',
    state: 'AtLatestKnown',
    conditions: [],
    ...fields,
  };
}

const completedOld = plan('install-old', ['redis-operator.v3.18.2'], { approved: true, phase: 'Complete' });

describe('InstallPlan gate', () => {
  it('approves a RequiresApproval plan whose CSV list is exactly the hop target', () => {
    // Prepare
    const exact = plan('install-a', ['redis-operator.v4.0.3']);
    // Act
    const decision = decideInstallPlan([completedOld, exact], target);
    // Assess
    expect(decision).toEqual({ action: 'approve', plan: exact });
  });

  it('blocks a merged plan that would also install other operators, never approving it', () => {
    // Act
    const decision = decideInstallPlan(
      [plan('install-m', ['redis-operator.v4.0.3', 'other-operator.v1.2.0'])],
      target,
    );
    // Assess
    expect(decision.action).toBe('block');
    expect(decision).toMatchObject({
      reason: expect.stringMatching(
        /InstallPlan redis-system\/install-m is a merged plan: .* other-operator\.v1\.2\.0/,
      ),
    });
  });

  it('blocks a plan beyond the hop target, never approving it', () => {
    // Act
    const decision = decideInstallPlan([completedOld, plan('install-b', ['redis-operator.v4.2.1'])], target);
    // Assess
    expect(decision).toMatchObject({
      action: 'block',
      reason: expect.stringContaining(
        "OLM resolved redis-operator.v4.2.1, beyond this hop's target redis-operator.v4.0.3: InstallPlan redis-system/install-b would install redis-operator.v4.2.1, and approving it would leave the supported upgrade path",
      ),
    });
  });

  it.each([
    [
      'the channel head whose olm.skipRange includes the installed version',
      { csv: 'redis-operator.v4.2.1', skipRange: '>=3.14.0 <4.2.1' },
      'OLM resolved redis-operator.v4.2.1 from redis-operator.v3.18.2 via olm.skipRange >=3.14.0 <4.2.1, beyond',
    ],
    [
      'the channel head whose olm.skipRange leaves the installed version out',
      { csv: 'redis-operator.v4.2.1', skipRange: '>=4.0.0 <4.2.1' },
      'OLM resolved redis-operator.v4.2.1 from redis-operator.v3.18.2 via the spec.replaces or spec.skips of redis-operator.v4.2.1, beyond',
    ],
    [
      'a bundle below the channel head',
      { csv: 'redis-operator.v4.2.2', skipRange: '>=3.0.0 <4.2.2' },
      'OLM resolved redis-operator.v4.2.1 from redis-operator.v3.18.2 via the spec.replaces or spec.skips of redis-operator.v4.2.1, beyond',
    ],
  ])('names the edge OLM took when it resolved %s', (_label, head, reason) => {
    // Prepare
    const installing = subscription({ state: 'UpgradePending', installedCSV: 'redis-operator.v3.18.2' });
    const olm = { subscription: installing, channel: 'stable', head };
    // Act
    const decision = decideInstallPlan([plan('install-b', ['redis-operator.v4.2.1'])], target, olm);
    // Assess
    expect(decision).toMatchObject({ action: 'block', reason: expect.stringContaining(reason) });
  });

  it('blocks a pending plan for another version of the operator that is not beyond the target', () => {
    // Act
    const decision = decideInstallPlan([plan('install-c', ['redis-operator.v4.0.2'])], target);
    // Assess
    expect(decision).toMatchObject({
      action: 'block',
      reason: expect.stringContaining("not this hop's target"),
    });
  });

  it('waits while there is no plan for the target or it is still Planning', () => {
    // Act
    const none = decideInstallPlan([completedOld], target);
    const planning = decideInstallPlan(
      [plan('install-p', ['redis-operator.v4.0.3'], { phase: 'Planning' })],
      target,
    );
    // Assess
    expect(none).toEqual({ action: 'wait', reason: 'no InstallPlan for redis-operator.v4.0.3 yet' });
    expect(planning).toMatchObject({ action: 'wait', reason: expect.stringContaining('is Planning') });
  });

  it('reports an approved plan as installing instead of approving it again', () => {
    // Prepare
    const approved = plan('install-a', ['redis-operator.v4.0.3'], { approved: true, phase: 'Installing' });
    // Act / Assess
    expect(decideInstallPlan([approved], target)).toEqual({ action: 'installing', plan: approved });
  });

  it('fails with the plan message when the target plan Failed and nothing newer is pending', () => {
    // Prepare
    const failed = plan('install-f', ['redis-operator.v4.0.3'], {
      phase: 'Failed',
      message: 'bundle unpack timed out',
    });
    const retry = plan('install-g', ['redis-operator.v4.0.3']);
    // Act
    const alone = decideInstallPlan([failed], target);
    const withRetry = decideInstallPlan([failed, retry], target);
    // Assess
    expect(alone).toEqual({
      action: 'fail',
      reason: 'InstallPlan redis-system/install-f for redis-operator.v4.0.3 Failed: bundle unpack timed out',
    });
    expect(withRetry).toEqual({ action: 'approve', plan: retry });
  });

  it("never approves a plan whose approval is Automatic: that is OLM's to approve, not ours", () => {
    // Prepare: an exact, pending plan, but created for Automatic approval
    const automatic = plan('install-auto', ['redis-operator.v4.0.3'], { approval: 'Automatic' });
    // Act
    const decision = decideInstallPlan([automatic], target);
    // Assess
    expect(decision).toMatchObject({
      action: 'block',
      reason: expect.stringContaining('InstallPlan redis-system/install-auto has approval Automatic'),
    });
  });

  it('prefers a running approved plan over an older approved plan that Failed', () => {
    // Prepare: a failed earlier attempt (approved, then Failed) listed before the retry now installing
    const failed = plan('install-a-old', ['redis-operator.v4.0.3'], { approved: true, phase: 'Failed' });
    const running = plan('install-b-new', ['redis-operator.v4.0.3'], { approved: true, phase: 'Installing' });
    // Act
    const decision = decideInstallPlan([failed, running], target);
    // Assess
    expect(decision).toEqual({ action: 'installing', plan: running });
  });

  it('waits for approval while OLM unpacks the bundle, naming the image and the unpack job state', () => {
    // Prepare
    const unpacking = plan('install-u', ['redis-operator.v4.0.3'], {
      bundleLookups: [
        {
          identifier: 'redis-operator.v4.0.3',
          path: 'registry.example/redis-operator-bundle:v4.0.3',
          conditions: [
            { type: 'BundleLookupNotPersisted', status: 'True', reason: 'BundleNotUnpacked' },
            {
              type: 'BundleLookupPending',
              status: 'True',
              reason: 'JobIncomplete',
              message: 'unpack job not completed',
            },
          ],
        },
      ],
      plannedCsvs: [],
    });
    // Act
    const decision = decideInstallPlan([unpacking], target);
    // Assess
    expect(decision).toEqual({
      action: 'wait',
      reason:
        'InstallPlan redis-system/install-u for redis-operator.v4.0.3 waits for approval; OLM is unpacking bundle registry.example/redis-operator-bundle:v4.0.3 (JobIncomplete: unpack job not completed)',
      unpacking,
    });
  });

  it('approves once unpacked when the steps install exactly the target, blocks when they install more', () => {
    // Prepare
    const lookup = { identifier: 'redis-operator.v4.0.3', path: 'registry.example/b:v4.0.3', conditions: [] };
    const exact = plan('install-e', ['redis-operator.v4.0.3'], {
      bundleLookups: [lookup],
      plannedCsvs: ['redis-operator.v4.0.3'],
    });
    const more = {
      ...exact,
      name: 'install-m',
      plannedCsvs: ['redis-operator.v4.0.3', 'other-operator.v1.0.0'],
    };
    // Act / Assess
    expect(decideInstallPlan([exact], target)).toEqual({ action: 'approve', plan: exact });
    expect(decideInstallPlan([more], target)).toMatchObject({
      action: 'block',
      reason: expect.stringContaining(
        'InstallPlan redis-system/install-m lists redis-operator.v4.0.3 but its steps would install redis-operator.v4.0.3, other-operator.v1.0.0',
      ),
    });
  });

  it('fails with the cluster’s reason and the bundle image when the bundle did not unpack', () => {
    // Prepare
    const failed = plan('install-f', ['redis-operator.v4.0.3'], {
      phase: 'Failed',
      message:
        'bundle unpacking failed. Reason: DeadlineExceeded, and Message: Job was active longer than specified deadline',
      bundleLookups: [
        {
          identifier: 'redis-operator.v4.0.3',
          path: 'registry.example/b:v4.0.3',
          conditions: [
            {
              type: 'BundleLookupFailed',
              status: 'True',
              reason: 'DeadlineExceeded',
              message: 'Job was active longer than specified deadline',
            },
          ],
        },
      ],
    });
    // Act / Assess
    expect(decideInstallPlan([failed], target)).toEqual({
      action: 'fail',
      reason:
        'InstallPlan redis-system/install-f for redis-operator.v4.0.3 Failed: bundle unpacking failed. Reason: DeadlineExceeded, and Message: Job was active longer than specified deadline (bundle image registry.example/b:v4.0.3)',
    });
  });

  it('reports OLM resolving nothing, from ResolutionFailed or from staying at the installed CSV', () => {
    // Prepare
    const failing = subscription({
      conditions: [
        {
          type: 'ResolutionFailed',
          status: 'True',
          reason: 'ErrorPreventedResolution',
          message: 'two chains',
        },
      ],
    });
    const head = { csv: 'redis-operator.v4.0.3', skipRange: '>=3.18.0 <4.0.3' };
    // Act
    const failed = decideInstallPlan([completedOld], target, {
      subscription: failing,
      channel: 'stable',
      head,
    });
    const stays = decideInstallPlan([completedOld], target, {
      subscription: subscription(),
      channel: 'stable',
      head,
    });
    const moving = decideInstallPlan([completedOld], target, {
      subscription: subscription({ state: 'UpgradePending', currentCSV: 'redis-operator.v4.0.3' }),
      channel: 'stable',
      head,
    });
    // Assess
    expect(failed).toEqual({
      action: 'unresolved',
      reason:
        'no bundle in channel stable replaces redis-operator.v3.16.2 (ResolutionFailed ErrorPreventedResolution: two chains)',
    });
    expect(stays).toEqual({
      action: 'unresolved',
      reason:
        'no bundle in channel stable replaces redis-operator.v3.16.2: OLM stays at it (AtLatestKnown) and plans nothing, although the catalog offers redis-operator.v4.0.3; the channel head redis-operator.v4.0.3 has olm.skipRange >=3.18.0 <4.0.3, which does not include 3.16.2',
    });
    expect(moving).toEqual({ action: 'wait', reason: 'no InstallPlan for redis-operator.v4.0.3 yet' });
  });

  it('ignores pending plans of other operators that do not touch the target', () => {
    // Act
    const decision = decideInstallPlan([plan('install-x', ['other-operator.v2.0.0'])], target);
    // Assess
    expect(decision.action).toBe('wait');
  });
});

describe('foreign pending InstallPlan check (validate)', () => {
  it.each(['RequiresApproval', 'Planning', 'Installing', undefined])(
    "names another operator's %s plan and its foreign CSVs, and says what to do",
    (phase) => {
      // Prepare
      const exporter = plan(
        'install-exporter',
        ['middleware-exporter.v1.5.0'],
        phase ? { phase } : { phase: undefined },
      );
      // Act
      const reason = checkForeignPendingPlans([completedOld, exporter], 'redis-operator');
      // Assess
      expect(reason).toContain(
        `InstallPlan redis-system/install-exporter (${phase ?? 'no phase yet'}) lists middleware-exporter.v1.5.0`,
      );
      expect(reason).toContain('nothing was changed');
      expect(reason).toContain("Approve or remove that operator's pending InstallPlan first");
    },
  );

  it('lists only the foreign CSVs of a plan that also carries ours, and every such plan', () => {
    // Prepare
    const merged = plan('install-merged', ['redis-operator.v4.0.3', 'middleware-exporter.v1.5.0']);
    const other = plan('install-other', ['cert-agent.v2.0.0', 'log-shipper.v0.9.1'], {
      approved: true,
      phase: 'Installing',
    });
    // Act
    const reason = checkForeignPendingPlans([merged, other], 'redis-operator');
    // Assess
    expect(reason).toContain(
      'InstallPlan redis-system/install-merged (RequiresApproval) lists middleware-exporter.v1.5.0;',
    );
    expect(reason).toContain(
      'InstallPlan redis-system/install-other (Installing) lists cert-agent.v2.0.0, log-shipper.v0.9.1',
    );
    expect(reason).not.toContain('lists redis-operator');
  });

  it.each(['Complete', 'Failed'])("passes another operator's %s plan", (phase) => {
    // Act
    const reason = checkForeignPendingPlans(
      [completedOld, plan('install-exporter', ['middleware-exporter.v1.5.0'], { phase })],
      'redis-operator',
    );
    // Assess
    expect(reason).toBeUndefined();
  });

  it("passes the operator's own pending plan: that one is the patch stage's question", () => {
    // Act
    const reason = checkForeignPendingPlans([plan('install-a', ['redis-operator.v4.0.3'])], 'redis-operator');
    // Assess
    expect(reason).toBeUndefined();
  });
});

describe('unpackSettled', () => {
  const lookup = (type: string) => ({
    identifier: target.csv,
    path: 'bundle:v4.0.3',
    conditions: [{ type, status: 'True', reason: 'r', message: 'm' }],
  });
  it.each([
    { case: 'a lookup pending', fields: { bundleLookups: [lookup('BundleLookupPending')] }, settled: false },
    {
      case: 'lookups done, no steps listed yet',
      fields: { bundleLookups: [lookup('X')], plannedCsvs: [] },
      settled: false,
    },
    { case: 'steps listed', fields: { bundleLookups: [], plannedCsvs: [target.csv] }, settled: true },
    {
      case: 'a lookup failed',
      fields: { bundleLookups: [lookup('BundleLookupPending'), lookup('BundleLookupFailed')] },
      settled: true,
    },
    {
      case: 'the plan failed',
      fields: { bundleLookups: [lookup('BundleLookupPending')], phase: 'Failed' },
      settled: true,
    },
    { case: 'no lookups at all (older OLM)', fields: {}, settled: true },
  ])('$case', ({ fields, settled }) => {
    expect(unpackSettled(plan('install-1', [target.csv], fields))).toBe(settled);
  });
});
