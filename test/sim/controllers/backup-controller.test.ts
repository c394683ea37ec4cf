import { afterEach, describe, expect, it } from 'vitest';
import { toBackupView } from '#adapters/kube/kube-views.ts';
import { REDIS_BACKUP, REDIS_FAILOVER } from '#sim/resource-types.ts';
import type { KubeObject } from '#sim/store/cluster-store.ts';
import {
  clusterSpec,
  type RunningCluster,
  runCluster,
  settle,
  waitFor,
} from '#test/sim/controllers/controller-fixture.ts';

/** A backup as the product's ClusterClient.createRedisBackup creates one. */
function requestBackup(
  cluster: RunningCluster,
  source: Record<string, string>,
  instance: string,
): KubeObject {
  return cluster.store.create(REDIS_BACKUP, {
    apiVersion: 'redis.middleware.alauda.io/v1',
    kind: 'RedisBackup',
    metadata: {
      generateName: `${instance}-pre-upgrade-`,
      name: '',
      namespace: 'team-a',
      labels: { 'redis-upgrader.io/instance': instance },
    },
    spec: { source },
  });
}

const backupOf = (cluster: RunningCluster, created: KubeObject) =>
  cluster.store.get(REDIS_BACKUP, 'team-a', created.metadata.name) as KubeObject;

let cluster: RunningCluster | undefined;
afterEach(() => {
  expect(cluster?.errors ?? []).toEqual([]);
  cluster?.stop();
  cluster = undefined;
});

describe('RedisBackup handling', () => {
  it('runs a new backup and completes it backupTimeMs later, labelled like the operator does', async () => {
    // Prepare
    cluster = runCluster(clusterSpec({ backupTimeMs: 60_000 }), { speed: 1000 });
    const started = Date.now();

    // Act
    const created = requestBackup(cluster, { redisFailoverName: 'sessions' }, 'sessions');

    // Assess
    const running = await waitFor(() => {
      const backup = backupOf(cluster as RunningCluster, created);
      return (backup.status as { condition?: string } | undefined)?.condition === 'Running' && backup;
    }, 'Running');
    expect(running.metadata.labels).toMatchObject({
      'redisfailovers.databases.spotahome.com/name': 'sessions',
      'redis-upgrader.io/instance': 'sessions',
    });
    const done = await waitFor(() => {
      const view = toBackupView(backupOf(cluster as RunningCluster, created) as never);
      return view.condition === 'Complete' && view;
    }, 'Complete');
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    expect(done.instance).toBe('sessions');
    const status = backupOf(cluster, created).status as { startTime: string; completionTime: string };
    expect(Date.parse(status.completionTime)).toBeGreaterThanOrEqual(Date.parse(status.startTime));
    expect(Math.abs(Date.parse(status.completionTime) - Date.now())).toBeLessThan(2000);
  });

  it('labels a cluster backup with redis.kun/name', async () => {
    // Prepare
    cluster = runCluster(
      clusterSpec({
        instances: [{ kind: 'DistributedRedisCluster', name: 'orders', namespace: 'team-a', healthy: true }],
      }),
    );

    // Act
    const created = requestBackup(cluster, { redisName: 'orders', sourceType: 'cluster' }, 'orders');

    // Assess
    const done = await waitFor(() => {
      const backup = backupOf(cluster as RunningCluster, created);
      return (backup.status as { condition?: string } | undefined)?.condition === 'Complete' && backup;
    }, 'Complete');
    expect(done.metadata.labels).toMatchObject({ 'redis.kun/name': 'orders' });
  });

  it('waits while the source instance is not ready and completes once it is', async () => {
    // Prepare
    cluster = runCluster(
      clusterSpec({
        instances: [{ kind: 'RedisFailover', name: 'sessions', namespace: 'team-a', healthy: false }],
      }),
      { speed: 100_000 },
    );
    const created = requestBackup(cluster, { redisFailoverName: 'sessions' }, 'sessions');
    await settle();
    expect(backupOf(cluster, created).status).toBeUndefined();

    // Act
    const instance = cluster.store.get(REDIS_FAILOVER, 'team-a', 'sessions') as KubeObject;
    cluster.store.updateStatus(REDIS_FAILOVER, { ...instance, status: { phase: 'Ready' } });

    // Assess
    await waitFor(
      () =>
        (backupOf(cluster as RunningCluster, created).status as { condition?: string } | undefined)
          ?.condition === 'Complete',
      'Complete',
    );
  });

  it('leaves backups that already have a condition alone', async () => {
    // Prepare
    cluster = runCluster(clusterSpec());
    const seeded = cluster.store.list(REDIS_BACKUP);

    // Act
    await settle();

    // Assess
    expect(cluster.store.list(REDIS_BACKUP)).toEqual(seeded);
  });
});
