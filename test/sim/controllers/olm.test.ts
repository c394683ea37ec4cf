import { afterEach, describe, expect, it } from 'vitest';
import { CSV, EVENT, INSTALL_PLAN, SUBSCRIPTION } from '#sim/resource-types.ts';
import type { KubeObject } from '#sim/store/cluster-store.ts';
import {
  approve,
  clusterSpec,
  offeredCsvs,
  pendingPlan,
  phaseOf,
  plan,
  plansFor,
  type RunningCluster,
  runCluster,
  settle,
  subStatus,
  subscription,
  uploadVersion,
  waitFor,
} from '#test/sim/controllers/controller-fixture.ts';

const NS = 'redis-system';
const csvOf = (cluster: RunningCluster, name: string) => cluster.store.get(CSV, NS, name);
const planCsvs = (installPlan: KubeObject) =>
  (installPlan.spec as { clusterServiceVersionNames: string[] }).clusterServiceVersionNames;

let cluster: RunningCluster | undefined;
afterEach(() => {
  expect(cluster?.errors ?? []).toEqual([]);
  cluster?.stop();
  cluster = undefined;
});

describe('OLM with Manual approval', () => {
  it('plans the synced CSV, waits for approval, then installs it and removes the old CSV', async () => {
    // Prepare
    cluster = runCluster(clusterSpec({ approval: 'Manual' }));
    const { store } = cluster;

    // Act
    uploadVersion(store, '3.18.2');
    const installPlan = await pendingPlan(store);

    // Assess: the plan waits for approval, the Subscription points at it
    expect(installPlan.spec).toMatchObject({
      approval: 'Manual',
      approved: false,
      clusterServiceVersionNames: ['redis-operator.v3.18.2'],
    });
    expect(phaseOf(installPlan)).toBe('RequiresApproval');
    expect(subStatus(store)).toMatchObject({
      installedCSV: 'redis-operator.v3.16.2',
      currentCSV: 'redis-operator.v3.18.2',
      state: 'UpgradePending',
      installPlanRef: { name: installPlan.metadata.name, namespace: NS, kind: 'InstallPlan' },
      conditions: expect.arrayContaining([
        expect.objectContaining({ type: 'InstallPlanPending', status: 'True', reason: 'RequiresApproval' }),
      ]),
    });
    await settle();
    expect(csvOf(cluster, 'redis-operator.v3.18.2')).toBeUndefined();

    // Act: approve
    approve(store, installPlan);

    // Assess: as in OLM the plan completes and the Subscription moves on while the CSV still installs
    await waitFor(() => phaseOf(plan(store, installPlan.metadata.name)) === 'Complete', 'plan Complete');
    expect(csvOf(cluster, 'redis-operator.v3.18.2')?.spec).toMatchObject({
      version: '3.18.2',
      replaces: 'redis-operator.v3.16.2',
    });
    expect(phaseOf(csvOf(cluster, 'redis-operator.v3.18.2'))).toBe('Installing');
    expect(phaseOf(csvOf(cluster, 'redis-operator.v3.16.2'))).toBe('Replacing');
    expect(subStatus(store)).toMatchObject({
      installedCSV: 'redis-operator.v3.18.2',
      state: 'AtLatestKnown',
    });
    await waitFor(
      () => phaseOf(csvOf(cluster as RunningCluster, 'redis-operator.v3.18.2')) === 'Succeeded',
      'CSV Succeeded',
    );
    await waitFor(
      () => csvOf(cluster as RunningCluster, 'redis-operator.v3.16.2') === undefined,
      'old CSV deleted',
    );
    expect(subStatus(store).conditions?.map((c) => c.type)).toEqual(['CatalogSourcesUnhealthy']);
    const events = store
      .list(EVENT, { namespace: NS })
      .filter((e) => (e.involvedObject as { name: string }).name === 'redis-operator.v3.18.2');
    expect(events.map((e) => [e.type, e.reason, e.message])).toEqual([
      ['Normal', 'RequirementsUnknown', 'requirements not yet checked'],
      ['Normal', 'AllRequirementsMet', 'all requirements found, attempting install'],
      ['Normal', 'InstallWaiting', 'installing: waiting for deployment redis-operator to become ready'],
      ['Normal', 'InstallSucceeded', 'install strategy completed with no errors'],
    ]);
  });

  it('records every phase of the new CSV in order', async () => {
    // Prepare
    cluster = runCluster(clusterSpec({ approval: 'Manual' }));
    const phases: string[] = [];
    cluster.store.subscribe(({ resource, object }) => {
      if (resource.kind === CSV.kind && object.metadata.name === 'redis-operator.v3.18.2')
        phases.push(phaseOf(object) ?? '');
    });
    uploadVersion(cluster.store, '3.18.2');

    // Act
    approve(cluster.store, await pendingPlan(cluster.store));
    await waitFor(() => phases.includes('Succeeded'), 'CSV Succeeded');

    // Assess
    expect(phases).toEqual(['Pending', 'InstallReady', 'Installing', 'Succeeded']);
  });

  it('keeps a RequiresApproval plan untouched when nothing approves it', async () => {
    // Prepare
    cluster = runCluster(clusterSpec({ approval: 'Manual', installTimeMs: 1000 }));
    uploadVersion(cluster.store, '3.18.2');
    const installPlan = await pendingPlan(cluster.store);

    // Act
    await new Promise((resolve) => setTimeout(resolve, 20));

    // Assess
    expect(plan(cluster.store, installPlan.metadata.name)?.metadata.resourceVersion).toBe(
      installPlan.metadata.resourceVersion,
    );
    expect(subStatus(cluster.store).installedCSV).toBe('redis-operator.v3.16.2');
  });
});

describe('OLM with Automatic approval', () => {
  it('approves the plan at once and installs without anyone acting', async () => {
    // Prepare
    cluster = runCluster(clusterSpec({ approval: 'Automatic' }));
    const { store } = cluster;

    // Act
    uploadVersion(store, '3.18.2');

    // Assess
    await waitFor(
      () => phaseOf(csvOf(cluster as RunningCluster, 'redis-operator.v3.18.2')) === 'Succeeded',
      'CSV Succeeded',
    );
    const installPlan = plan(store, subStatus(store).installPlanRef?.name as string) as KubeObject;
    expect(installPlan.spec).toMatchObject({ approval: 'Automatic', approved: true });
    expect(phaseOf(installPlan)).toBe('Complete');
    expect(subStatus(store)).toMatchObject({
      installedCSV: 'redis-operator.v3.18.2',
      state: 'AtLatestKnown',
    });
  });
});

describe('OLM resolution along the upgrade graph', () => {
  it('jumps to the newest bundle that replaces the installed CSV, over the ones between', async () => {
    // Prepare: 3.18.2 and 4.0.1 were both uploaded before OLM resolved; 4.0.1 skips 3.16.2
    cluster = runCluster(clusterSpec({ catalog: { uploaded: ['3.18.2', '4.0.1'] } }));

    // Act
    const installPlan = await pendingPlan(cluster.store);

    // Assess
    expect(planCsvs(installPlan)).toEqual(['redis-operator.v4.0.1']);
    expect(plansFor(cluster.store, 'redis-operator.v3.18.2')).toEqual([]);
  });

  it('upgrades an installed version older than the packages (not in the catalog) through an olm.skipRange', async () => {
    // Prepare: 3.13.5 has no package; 3.14.0's olm.skipRange >=3.8.0 <3.14.0 includes it
    cluster = runCluster(clusterSpec({ installedVersion: '3.13.5' }));
    expect(offeredCsvs(cluster.store)).toEqual([]);

    // Act
    uploadVersion(cluster.store, '3.14.0');
    const installPlan = await pendingPlan(cluster.store);

    // Assess
    expect(planCsvs(installPlan)).toEqual(['redis-operator.v3.14.0']);
  });

  it('keeps a pending plan when a newer version syncs before approval (OLM does not re-resolve it)', async () => {
    // Prepare
    cluster = runCluster(clusterSpec());
    const { store } = cluster;
    uploadVersion(store, '3.18.2');
    const first = await pendingPlan(store);

    // Act
    uploadVersion(store, '4.0.1');
    await waitFor(() => offeredCsvs(store).includes('redis-operator.v4.0.1'), '4.0.1 offered');
    await settle();

    // Assess
    expect(subStatus(store).installPlanRef?.name).toBe(first.metadata.name);
    expect(plansFor(store, 'redis-operator.v4.0.1')).toEqual([]);

    // Act: deleting the pending plan is what makes OLM resolve again, now to the head
    store.delete(INSTALL_PLAN, NS, first.metadata.name);
    const second = await pendingPlan(store);

    // Assess
    expect(planCsvs(second)).toEqual(['redis-operator.v4.0.1']);
  });

  it('re-resolves against the new channel when the Subscription channel changes', async () => {
    // Prepare
    cluster = runCluster(clusterSpec({ installedVersion: '4.2.1', platformVersion: '4.2.0' }));
    const { store } = cluster;
    uploadVersion(store, '5.0.0', 'stable-v5');
    await waitFor(() => offeredCsvs(store, 'stable-v5').length === 1, '5.0.0 offered on stable-v5');
    await settle();
    expect(subStatus(store).state).toBe('AtLatestKnown');

    // Act
    const sub = subscription(store);
    store.update(SUBSCRIPTION, { ...sub, spec: { ...(sub.spec as object), channel: 'stable-v5' } });
    const installPlan = await pendingPlan(store);

    // Assess
    expect(planCsvs(installPlan)).toEqual(['redis-operator.v5.0.0']);
    expect(subStatus(store)).toMatchObject({
      currentCSV: 'redis-operator.v5.0.0',
      installedCSV: 'redis-operator.v4.2.1',
    });
  });

  it('stays AtLatestKnown, without a plan or an error, when no bundle of the channel replaces the installed CSV', async () => {
    // Prepare: this cluster's 5.0.2 bundle upgrades only from 4.2.0 on
    const graph = { skipRange: '>=4.2.0 <5.0.2', skips: ['redis-operator.v4.2.0', 'redis-operator.v4.2.1'] };
    cluster = runCluster(
      clusterSpec({ installedVersion: '4.1.2', catalog: { bundles: { '5.0.2': graph } } }),
    );
    const { store } = cluster;
    uploadVersion(store, '5.0.2', 'stable-v5');
    await waitFor(() => offeredCsvs(store, 'stable-v5').length === 1, '5.0.2 offered');

    // Act
    const sub = subscription(store);
    store.update(SUBSCRIPTION, { ...sub, spec: { ...(sub.spec as object), channel: 'stable-v5' } });
    await settle();

    // Assess
    expect(subStatus(store)).toMatchObject({
      installedCSV: 'redis-operator.v4.1.2',
      currentCSV: 'redis-operator.v4.1.2',
      state: 'AtLatestKnown',
    });
    expect(subStatus(store).conditions?.map((c) => c.type)).toEqual(['CatalogSourcesUnhealthy']);
    expect(plansFor(store, 'redis-operator.v5.0.2')).toEqual([]);
  });

  it('reports a channel the catalog does not have as ResolutionFailed', async () => {
    // Prepare
    cluster = runCluster(clusterSpec());
    const sub = subscription(cluster.store);

    // Act
    cluster.store.update(SUBSCRIPTION, { ...sub, spec: { ...(sub.spec as object), channel: 'stable-v9' } });

    // Assess
    const failed = await waitFor(
      () => subStatus(cluster?.store as never).conditions?.find((c) => c.type === 'ResolutionFailed'),
      'ResolutionFailed',
    );
    expect(failed).toMatchObject({
      status: 'True',
      reason: 'ConstraintsNotSatisfiable',
      message:
        'constraints not satisfiable: subscription redis-operator exists, no operators found in channel stable-v9 of package redis-operator in the catalog referenced by subscription redis-operator',
    });
    expect(subStatus(cluster.store).state).toBe('AtLatestKnown');
  });

  it('reports two replacement chains in the channel as ResolutionFailed, with a Warning Event on the Namespace', async () => {
    // Prepare: 4.1.2 was uploaded to a 3.16.2 cluster, which it does not upgrade from
    cluster = runCluster(clusterSpec({ catalog: { uploaded: ['4.1.2'] } }));

    // Act
    const failed = await waitFor(
      () => subStatus(cluster?.store as never).conditions?.find((c) => c.type === 'ResolutionFailed'),
      'ResolutionFailed',
    );

    // Assess
    expect(failed).toMatchObject({ status: 'True', reason: 'ErrorPreventedResolution' });
    expect(failed.message).toContain(
      'but 2 replacement chains were found in channel "stable" of package "redis-operator"',
    );
    expect(cluster.store.list(INSTALL_PLAN, { namespace: NS })).toHaveLength(1);
    const events = cluster.store.list(EVENT, { namespace: 'default' });
    expect(events).toEqual([
      expect.objectContaining({
        type: 'Warning',
        reason: 'ResolutionFailed',
        message: failed.message,
        involvedObject: expect.objectContaining({ kind: 'Namespace', name: NS }),
        source: { component: 'operator-lifecycle-manager' },
        count: 1,
      }),
    ]);
  });
});

describe('OLM bundle unpacking', () => {
  it('creates the plan with its bundle lookup pending, then lists every object of the bundle', async () => {
    // Prepare
    cluster = runCluster(clusterSpec(), { speed: 50_000 });
    const { store } = cluster;
    const seen: { plan: number; lookup: string[] }[] = [];
    store.subscribe(({ resource, object }) => {
      if (resource.kind !== 'InstallPlan' || !planCsvs(object).includes('redis-operator.v3.18.2')) return;
      const status = object.status as {
        plan?: unknown[];
        bundleLookups?: { conditions?: { reason: string }[] }[];
      };
      seen.push({
        plan: status.plan?.length ?? 0,
        lookup: (status.bundleLookups?.[0]?.conditions ?? []).map((c) => c.reason),
      });
    });

    // Act
    uploadVersion(store, '3.18.2');
    const installPlan = await pendingPlan(store);

    // Assess: not started, job running, unpacked, as OLM's bundle lookups go
    expect(seen.map((s) => s.lookup)).toEqual([
      ['BundleNotUnpacked', 'JobNotStarted'],
      ['BundleNotUnpacked', 'JobIncomplete'],
      [],
    ]);
    expect(phaseOf(installPlan)).toBe('RequiresApproval');
    const status = installPlan.status as Record<string, unknown>;
    expect(status.catalogSources).toEqual(['platform']);
    expect(status.bundleLookups).toEqual([
      expect.objectContaining({
        identifier: 'redis-operator.v3.18.2',
        path: 'registry.alauda.cn:60080/middleware/redis-operator-bundle:v3.18.2',
        replaces: 'redis-operator.v3.16.2',
        catalogSourceRef: { namespace: 'cpaas-system', name: 'platform' },
      }),
    ]);
    const steps = status.plan as {
      resolving: string;
      resource: { kind: string; name: string };
      status: string;
    }[];
    expect(steps.map((s) => s.resource.kind)).toEqual([
      'ClusterServiceVersion',
      ...Array(8).fill('CustomResourceDefinition'),
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
    ]);
    expect(steps.every((s) => s.resolving === 'redis-operator.v3.18.2' && s.status === 'Unknown')).toBe(true);
    expect(steps.map((s) => s.resource.name)).toContain('redisfailovers.databases.spotahome.com');
  });

  it('does not install an approved plan before its bundle is unpacked', async () => {
    // Prepare: the unpack job takes 20 simulated seconds, 200 real ms at this speed
    cluster = runCluster(clusterSpec({ syncDelayMs: 0, installTimeMs: 1000 }), { speed: 100 });
    const { store } = cluster;
    uploadVersion(store, '3.18.2');
    const early = await waitFor(() => plansFor(store, 'redis-operator.v3.18.2')[0], 'the plan');

    // Act
    approve(store, early);
    await settle();

    // Assess
    expect(phaseOf(plan(store, early.metadata.name))).toBe('RequiresApproval');
    expect(csvOf(cluster, 'redis-operator.v3.18.2')).toBeUndefined();
    await waitFor(() => phaseOf(plan(store, early.metadata.name)) === 'Complete', 'installed once unpacked');
  });

  it('failUnpack: the image pull fails until the deadline, then the plan fails with BundleLookupFailed', async () => {
    // Prepare
    cluster = runCluster(clusterSpec({ failUnpack: true }));
    const { store } = cluster;

    // Act
    uploadVersion(store, '3.18.2');
    const failed = await waitFor(
      () => plansFor(store, 'redis-operator.v3.18.2').find((p) => phaseOf(p) === 'Failed'),
      'a Failed plan',
    );

    // Assess
    const status = failed.status as {
      bundleLookups: { conditions: Record<string, string>[] }[];
      conditions: unknown[];
    };
    const conditions = status.bundleLookups[0]?.conditions ?? [];
    expect(conditions.find((c) => c.type === 'BundleLookupPending')?.message).toMatch(
      /^unpack job not completed: Unpack pod\(cpaas-system\/[0-9a-f]+-[0-9a-f]+\) container\(pull\) is pending\. Reason: ImagePullBackOff, Message: Back-off pulling image "registry\.alauda\.cn:60080\/middleware\/redis-operator-bundle:v3\.18\.2"$/,
    );
    expect(conditions.find((c) => c.type === 'BundleLookupFailed')).toMatchObject({
      status: 'True',
      reason: 'DeadlineExceeded',
      message: 'Job was active longer than specified deadline',
    });
    const message =
      'bundle unpacking failed. Reason: DeadlineExceeded, and Message: Job was active longer than specified deadline';
    expect(status.conditions).toEqual([
      expect.objectContaining({ type: 'Installed', status: 'False', reason: 'InstallCheckFailed', message }),
    ]);
    expect((failed.status as { plan: unknown[] }).plan).toEqual([]);
    expect(subStatus(store)).toMatchObject({
      installedCSV: 'redis-operator.v3.16.2',
      state: 'UpgradePending',
      conditions: expect.arrayContaining([
        expect.objectContaining({ type: 'InstallPlanFailed', reason: 'InstallCheckFailed', message }),
      ]),
    });
    await settle();
    expect(plansFor(store, 'redis-operator.v3.18.2')).toHaveLength(1);
    expect(csvOf(cluster, 'redis-operator.v3.18.2')).toBeUndefined();
  });
});

describe('OLM traps', () => {
  it("mergedPlan: the pending plan also lists another operator's CSV and approving it upgrades both", async () => {
    // Prepare
    cluster = runCluster(clusterSpec({ traps: { mergedPlan: true } }));
    const { store } = cluster;
    const exporterPlan = await pendingPlan(store, 'middleware-exporter');
    expect(planCsvs(exporterPlan)).toEqual(['middleware-exporter.v1.5.0']);

    // Act
    uploadVersion(store, '3.18.2');
    const merged = await pendingPlan(store);

    // Assess
    expect(planCsvs(merged)).toEqual(['redis-operator.v3.18.2', 'middleware-exporter.v1.5.0']);
    expect(phaseOf(merged)).toBe('RequiresApproval');
    expect(subStatus(store, 'middleware-exporter').installPlanRef?.name).toBe(merged.metadata.name);
    expect((merged.metadata.ownerReferences as { name: string }[]).map((o) => o.name)).toEqual([
      'redis-operator',
      'middleware-exporter',
    ]);

    // Act: approving the merged plan is what the product must never do
    approve(store, merged);

    // Assess
    await waitFor(
      () => phaseOf(csvOf(cluster as RunningCluster, 'middleware-exporter.v1.5.0')) === 'Succeeded',
      'exporter upgraded',
    );
    expect(subStatus(store, 'middleware-exporter').installedCSV).toBe('middleware-exporter.v1.5.0');
  });

  it('without mergedPlan the plan lists only the redis-operator CSV', async () => {
    // Prepare
    cluster = runCluster(clusterSpec());

    // Act
    uploadVersion(cluster.store, '3.18.2');
    const installPlan = await pendingPlan(cluster.store);

    // Assess
    expect(planCsvs(installPlan)).toEqual(['redis-operator.v3.18.2']);
    expect(
      cluster.store.list(INSTALL_PLAN, { namespace: NS }).filter((p) => phaseOf(p) === 'RequiresApproval'),
    ).toHaveLength(1);
  });

  it('failInstall: CSV Failed, plan Failed, Subscription UpgradeFailed; deleting the plan lets OLM retry', async () => {
    // Prepare
    cluster = runCluster(clusterSpec({ failInstall: true }));
    const { store } = cluster;
    uploadVersion(store, '3.18.2');
    const installPlan = await pendingPlan(store);

    // Act
    approve(store, installPlan);
    await waitFor(() => subStatus(store).state === 'UpgradeFailed', 'UpgradeFailed');

    // Assess
    const failedCsv = csvOf(cluster, 'redis-operator.v3.18.2');
    expect(failedCsv?.status).toMatchObject({ phase: 'Failed', reason: 'InstallCheckFailed' });
    expect((failedCsv?.status as { message?: string } | undefined)?.message).toContain(
      'not ready before timeout',
    );
    const failedPlan = plan(store, installPlan.metadata.name);
    expect(phaseOf(failedPlan)).toBe('Failed');
    expect((failedPlan?.status as { message?: string } | undefined)?.message).toContain(
      'redis-operator.v3.18.2',
    );
    expect(subStatus(store)).toMatchObject({
      installedCSV: 'redis-operator.v3.16.2',
      conditions: expect.arrayContaining([
        expect.objectContaining({
          type: 'InstallPlanFailed',
          status: 'True',
          reason: 'InstallComponentFailed',
        }),
      ]),
    });
    expect(phaseOf(csvOf(cluster, 'redis-operator.v3.16.2'))).toBe('Succeeded');
    await settle();
    expect(store.list(INSTALL_PLAN, { namespace: NS })).toHaveLength(2);

    // Act: the operator's documented recovery: delete the failed plan
    store.delete(INSTALL_PLAN, NS, installPlan.metadata.name);
    const retry = await pendingPlan(store);
    approve(store, retry);

    // Assess: the failure was a one-off
    await waitFor(
      () => phaseOf(csvOf(cluster as RunningCluster, 'redis-operator.v3.18.2')) === 'Succeeded',
      'retry Succeeded',
    );
    expect(subStatus(store)).toMatchObject({
      installedCSV: 'redis-operator.v3.18.2',
      state: 'AtLatestKnown',
    });
  });
});
