import { afterEach, describe, expect, it } from 'vitest';
import type { InstanceSpec } from '#sim/cluster-spec.ts';
import { CSV, DISTRIBUTED_REDIS_CLUSTER, EVENT, REDIS, REDIS_FAILOVER } from '#sim/resource-types.ts';
import {
  approve,
  clusterSpec,
  pendingPlan,
  phaseOf,
  type RunningCluster,
  runCluster,
  uploadVersion,
  waitFor,
} from '#test/sim/controllers/controller-fixture.ts';

const INSTANCE_KINDS = new Set(['Redis', 'RedisFailover', 'RedisSentinel', 'DistributedRedisCluster']);

const instances: InstanceSpec[] = [
  { kind: 'Redis', name: 'r1', namespace: 'apps', healthy: true },
  { kind: 'Redis', name: 'r2', namespace: 'apps', healthy: false },
  { kind: 'RedisFailover', name: 'f1', namespace: 'apps', healthy: true },
  { kind: 'RedisSentinel', name: 's1', namespace: 'apps', healthy: true },
  { kind: 'DistributedRedisCluster', name: 'd1', namespace: 'apps', healthy: true },
  { kind: 'DistributedRedisCluster', name: 'd2', namespace: 'apps', healthy: true },
];

/** Health value history per instance, as a watcher of the four kinds would see it. */
function recordHealth(cluster: RunningCluster): Map<string, string[]> {
  const history = new Map<string, string[]>();
  cluster.store.subscribe(({ resource, object }) => {
    if (!INSTANCE_KINDS.has(resource.kind)) return;
    const status = object.status as { phase?: string; status?: string };
    const values = history.get(object.metadata.name) ?? [];
    const value = status.phase ?? status.status ?? '';
    if (values.at(-1) !== value) values.push(value);
    history.set(object.metadata.name, values);
  });
  return history;
}

async function upgrade(cluster: RunningCluster, failInstall = false): Promise<void> {
  uploadVersion(cluster.store, '3.18.2');
  approve(cluster.store, await pendingPlan(cluster.store));
  const settled = failInstall ? 'Failed' : 'Succeeded';
  await waitFor(
    () => phaseOf(cluster.store.get(CSV, 'redis-system', 'redis-operator.v3.18.2')) === settled,
    settled,
  );
}

let cluster: RunningCluster | undefined;
afterEach(() => {
  expect(cluster?.errors ?? []).toEqual([]);
  cluster?.stop();
  cluster = undefined;
});

describe('Redis operator during an operator upgrade', () => {
  it('takes every other healthy instance through a transitional phase and back; unhealthy ones stay unhealthy', async () => {
    // Prepare
    cluster = runCluster(clusterSpec({ instances, installTimeMs: 60_000, upgradeSettleMs: 30_000 }));
    const history = recordHealth(cluster);

    // Act
    await upgrade(cluster);
    await waitFor(
      () => history.get('d1')?.at(-1) === 'Healthy' && history.get('s1')?.at(-1) === 'Ready',
      'instances back',
    );

    // Assess: healthy ones in apps/<name> order d1, d2, f1, r1, s1 -> d1, f1, s1 flap
    expect(Object.fromEntries(history)).toEqual({
      d1: ['Rebalancing', 'Healthy'],
      f1: ['WaitingPodReady', 'Ready'],
      s1: ['WaitingPodReady', 'Ready'],
    });
    // the operator's Failover Events for the masters the roll took away
    const events = cluster.store.list(EVENT, { namespace: 'apps' });
    expect(
      events.map((e) => [
        (e.involvedObject as { kind: string; name: string }).name,
        e.type,
        e.reason,
        e.message,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ['d1', 'Warning', 'Failover', 'healed shard drc-d1-0 with new master drc-d1-0-1'],
        ['d1', 'Warning', 'Failover', 'healed shard drc-d1-2 with new master drc-d1-2-1'],
        ['f1', 'Warning', 'Failover', 'try failover as no master found'],
      ]),
    );
    expect(events).toHaveLength(4);
    expect(events.every((e) => (e.source as { component: string }).component === 'redis-operator')).toBe(
      true,
    );
  });

  it('brings instances back after a failed install too (the old operator keeps running)', async () => {
    // Prepare
    cluster = runCluster(clusterSpec({ instances, failInstall: true }));
    const history = recordHealth(cluster);

    // Act
    await upgrade(cluster, true);
    await waitFor(() => history.get('s1')?.at(-1) === 'Ready', 's1 back');

    // Assess
    expect(history.get('d1')).toEqual(['Rebalancing', 'Healthy']);
    expect(history.has('r2')).toBe(false);
  });

  it('is unhealthy in between: a reader sees a transitional phase while the new CSV installs', async () => {
    // Prepare
    cluster = runCluster(clusterSpec({ instances, syncDelayMs: 0, installTimeMs: 60_000 }), { speed: 1000 });
    const { store } = cluster;
    uploadVersion(store, '3.18.2');

    // Act
    approve(store, await pendingPlan(store));
    await waitFor(
      () => phaseOf(store.get(CSV, 'redis-system', 'redis-operator.v3.18.2')) === 'Installing',
      'Installing',
    );
    await new Promise((resolve) => setTimeout(resolve, 5));

    // Assess
    expect(phaseOf(store.get(REDIS_FAILOVER, 'apps', 'f1'))).toBe('WaitingPodReady');
    expect(store.get(DISTRIBUTED_REDIS_CLUSTER, 'apps', 'd1')?.status).toMatchObject({
      status: 'Rebalancing',
      clusterStatus: 'InService',
    });
    expect(phaseOf(store.get(REDIS, 'apps', 'r1'))).toBe('Ready');
    expect(phaseOf(store.get(REDIS, 'apps', 'r2'))).toBe('Error');
  });
});
