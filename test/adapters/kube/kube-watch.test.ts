/**
 * KubeClusterClient.watchUntil against a simulated cluster over real HTTP: a wake condition that
 * already holds answers from the watch's initial state, one that comes true later answers when
 * the object changes, unrelated changes do not wake, and an abort ends the watch and its connection.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTALL_PLAN, REDIS } from '#sim/resource-types.ts';
import { clusterSpec, type KubeSim, startKubeSim } from './support/kube-sim.ts';

/** Whether `promise` is still pending after the server had time to send what it would. */
async function pending(promise: Promise<unknown>): Promise<boolean> {
  const settled = await Promise.race([
    promise.then(
      () => 'settled',
      () => 'settled',
    ),
    sleep(150),
  ]);
  return settled !== 'settled';
}

function planFor(name: string, csv: string) {
  return {
    apiVersion: 'operators.coreos.com/v1alpha1',
    kind: 'InstallPlan',
    metadata: { name, namespace: 'redis-system' },
    spec: { clusterServiceVersionNames: [csv], approval: 'Manual', approved: false },
  };
}

describe('KubeClusterClient watches until a wait is over', () => {
  let sim: KubeSim;

  beforeAll(async () => {
    sim = await startKubeSim();
    sim.addCluster(
      'east',
      clusterSpec({ instances: [{ kind: 'Redis', name: 'cache', namespace: 'team-a', healthy: false }] }),
    );
  });
  afterAll(async () => {
    await sim.close();
  });

  /** A plan OLM just resolved for `csv`: its bundle lookup pending, no steps yet. */
  function unpackingPlan(name: string, csv: string): void {
    const store = sim.store('east');
    const created = store.create(INSTALL_PLAN, planFor(name, csv));
    const lookup = {
      path: `registry.example/redis-operator-bundle:${csv.slice(csv.indexOf('.v') + 1)}`,
      identifier: csv,
      replaces: '',
      catalogSourceRef: { namespace: 'cpaas-system', name: 'platform' },
      conditions: [
        { type: 'BundleLookupPending', status: 'True', reason: 'JobIncomplete', message: 'unpacking' },
      ],
    };
    store.updateStatus(INSTALL_PLAN, {
      ...created,
      status: { phase: 'RequiresApproval', catalogSources: [], plan: [], bundleLookups: [lookup] },
    });
  }

  /** OLM unpacked the plan: the bundle's manifests land in status.plan and the lookup is gone. */
  function unpacked(name: string, csv: string): void {
    const store = sim.store('east');
    const csvStep = {
      resolving: csv,
      status: 'Unknown',
      resource: {
        group: 'operators.coreos.com',
        version: 'v1alpha1',
        kind: 'ClusterServiceVersion',
        name: csv,
        sourceName: 'platform',
        sourceNamespace: 'cpaas-system',
      },
    };
    const plan = store.get(INSTALL_PLAN, 'redis-system', name);
    if (!plan) throw new Error('the plan exists');
    store.updateStatus(INSTALL_PLAN, {
      ...plan,
      status: { phase: 'RequiresApproval', catalogSources: [], plan: [csvStep], bundleLookups: [] },
    });
  }

  it('answers at once when the condition holds already (the watch starts with the current state)', async () => {
    // Prepare
    const client = sim.client('east');
    // Act
    const watched = client.watchUntil(
      { kind: 'csv-settled', csv: 'redis-operator.v3.16.1' },
      new AbortController().signal,
    );
    // Assess
    await expect(watched).resolves.toBeUndefined();
    const watch = sim.requestsTo('east').at(-1);
    expect(watch?.path).toBe(
      '/apis/operators.coreos.com/v1alpha1/namespaces/redis-system/clusterserviceversions',
    );
    expect(Object.fromEntries(watch?.query ?? [])).toMatchObject({
      watch: '1',
      fieldSelector: 'metadata.name=redis-operator.v3.16.1',
    });
  });

  it('answers when the instance it waits for turns healthy, not before', async () => {
    // Prepare
    const client = sim.client('east');
    const store = sim.store('east');
    const instance = { kind: 'Redis', namespace: 'team-a', name: 'cache' } as const;
    const watched = client.watchUntil({ kind: 'instance-healthy', instance }, new AbortController().signal);
    const waitedWhileUnhealthy = await pending(watched);
    // Act
    const cache = store.get(REDIS, 'team-a', 'cache');
    if (!cache) throw new Error('the seeded instance exists');
    store.updateStatus(REDIS, { ...cache, status: { ...(cache.status as object), phase: 'Ready' } });
    // Assess
    expect(waitedWhileUnhealthy).toBe(true);
    await expect(watched).resolves.toBeUndefined();
  });

  it('wakes for an InstallPlan of its CSV once unpacked, not while it unpacks', async () => {
    // Prepare: OLM's plan for the CSV is unpacking its bundle
    const client = sim.client('east');
    unpackingPlan('install-ready', 'redis-operator.v4.0.5');
    const watched = client.watchUntil(
      { kind: 'plan-ready', csv: 'redis-operator.v4.0.5' },
      new AbortController().signal,
    );
    const waitedWhileUnpacking = await pending(watched);
    // Act
    unpacked('install-ready', 'redis-operator.v4.0.5');
    // Assess
    expect(waitedWhileUnpacking).toBe(true);
    await expect(watched).resolves.toBeUndefined();
  });

  it('wakes for an InstallPlan of its CSV, not for another operator plan', async () => {
    // Prepare
    const client = sim.client('east');
    const store = sim.store('east');
    const watched = client.watchUntil(
      { kind: 'plan-ready', csv: 'redis-operator.v4.0.3' },
      new AbortController().signal,
    );
    // Act
    store.create(INSTALL_PLAN, planFor('install-other', 'other-operator.v1.0.0'));
    const waitedThroughOther = await pending(watched);
    store.create(INSTALL_PLAN, planFor('install-ours', 'redis-operator.v4.0.3'));
    // Assess
    expect(waitedThroughOther).toBe(true);
    await expect(watched).resolves.toBeUndefined();
  });

  it("wakes once OLM has unpacked the InstallPlan's bundle, not while it unpacks", async () => {
    // Prepare: a plan just resolved, its bundle lookup pending and no steps yet
    const client = sim.client('east');
    unpackingPlan('install-unpacking', 'redis-operator.v4.0.4');
    const watched = client.watchUntil(
      { kind: 'plan-unpacked', namespace: 'redis-system', name: 'install-unpacking' },
      new AbortController().signal,
    );
    const waitedWhileUnpacking = await pending(watched);
    // Act
    unpacked('install-unpacking', 'redis-operator.v4.0.4');
    // Assess
    expect(waitedWhileUnpacking).toBe(true);
    await expect(watched).resolves.toBeUndefined();
  });

  it('ends on abort and closes its connection', async () => {
    // Prepare
    const client = sim.client('east');
    const controller = new AbortController();
    await sleep(50); // the earlier tests' watches close their connections
    const open = sim.traffic().connections.open;
    const watched = client.watchUntil(
      { kind: 'csv-settled', csv: 'redis-operator.v9.9.9' },
      controller.signal,
    );
    await pending(watched);
    const whileWatching = sim.traffic().connections.open;
    // Act
    controller.abort();
    // Assess
    await expect(watched).rejects.toThrow();
    await sleep(50);
    expect(whileWatching).toBe(open + 1);
    expect(sim.traffic().connections.open).toBe(open);
  });
});
