import { afterEach, describe, expect, it } from 'vitest';
import { CSV, INSTALL_PLAN, SUBSCRIPTION } from '#sim/resource-types.ts';
import type { KubeObject } from '#sim/store/cluster-store.ts';
import {
  approve,
  clusterSpec,
  offeredCsvs,
  pendingPlan,
  phaseOf,
  plan,
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

describe('OLM resolution along the channel', () => {
  it('steps one version at a time when two versions synced', async () => {
    // Prepare
    cluster = runCluster(clusterSpec({ approval: 'Manual' }));
    const { store } = cluster;
    uploadVersion(store, '3.18.2');
    uploadVersion(store, '4.0.1');
    await waitFor(() => offeredCsvs(store).length === 3, 'both versions offered');

    // Act
    const first = await pendingPlan(store);
    approve(store, first);
    await waitFor(
      () => csvOf(cluster as RunningCluster, 'redis-operator.v3.16.2') === undefined,
      'first hop done',
    );
    const second = await pendingPlan(store);

    // Assess
    expect(planCsvs(first)).toEqual(['redis-operator.v3.18.2']);
    expect(planCsvs(second)).toEqual(['redis-operator.v4.0.1']);
    expect(csvOf(cluster, 'redis-operator.v4.0.1')).toBeUndefined();
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
    expect(failed).toMatchObject({ status: 'True', reason: 'ConstraintsNotSatisfiable' });
    expect(failed.message).toContain('no operators found in channel stable-v9');
    expect(subStatus(cluster.store).state).toBe('AtLatestKnown');
  });

  it('supersedes a pending plan when a newer version syncs before approval', async () => {
    // Prepare
    cluster = runCluster(clusterSpec({ traps: { channelHeadMoved: true } }));
    const { store } = cluster;
    uploadVersion(store, '3.18.2');
    const first = await pendingPlan(store);

    // Act
    uploadVersion(store, '4.0.1');
    const second = await waitFor(() => {
      const current = subStatus(store).installPlanRef?.name;
      return current !== first.metadata.name && current ? plan(store, current) : undefined;
    }, 'a new plan');

    // Assess
    expect(planCsvs(second)).toEqual(['redis-operator.v4.0.1']);
    expect(phaseOf(plan(store, first.metadata.name))).toBe('RequiresApproval');
  });
});

describe('OLM traps', () => {
  it('channelHeadMoved: the plan targets the channel head, beyond the version the caller synced first', async () => {
    // Prepare
    cluster = runCluster(clusterSpec({ traps: { channelHeadMoved: true } }));
    const { store } = cluster;

    // Act: 3.18.2 is what the caller wanted, 4.0.1 synced too before OLM resolved
    uploadVersion(store, '3.18.2');
    uploadVersion(store, '4.0.1');
    await waitFor(() => offeredCsvs(store).length === 3, 'both versions offered');
    const installPlan = await pendingPlan(store);

    // Assess
    expect(planCsvs(installPlan)).toEqual(['redis-operator.v4.0.1']);
    expect(subStatus(store).currentCSV).toBe('redis-operator.v4.0.1');
  });

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
