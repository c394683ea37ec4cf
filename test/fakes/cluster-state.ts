import type { Approval } from '#domain/cluster-views.ts';
import type { FakeClusterState } from '#test/fakes/cluster.ts';

export interface HealthyClusterOptions {
  installed: string;
  channel?: string;
  approval?: Approval;
  platformVersion?: string;
  now: Date;
  packageName?: string;
}

const GIB = 1024 ** 3;

/**
 * A cluster that passes every gate: one Ready instance of each of the four kinds, a Complete
 * backup two hours old for each, Bound PVCs, half its CPU and memory free.
 */
export function healthyClusterState(options: HealthyClusterOptions): FakeClusterState {
  const pkg = options.packageName ?? 'redis-operator';
  const csv = `${pkg}.v${options.installed}`;
  const backupTime = new Date(options.now.getTime() - 2 * 3600_000).toISOString();
  const instances = [
    { kind: 'Redis', namespace: 'cache', name: 'orders', healthy: true, status: 'Ready' },
    { kind: 'RedisFailover', namespace: 'payments', name: 'sessions', healthy: true, status: 'Ready' },
    { kind: 'RedisSentinel', namespace: 'payments', name: 'sentinel', healthy: true, status: 'Ready' },
    {
      kind: 'DistributedRedisCluster',
      namespace: 'analytics',
      name: 'events',
      healthy: true,
      status: 'Healthy',
    },
  ] as const;
  return {
    subscription: {
      namespace: 'redis-system',
      name: pkg,
      channel: options.channel ?? 'stable',
      approval: options.approval ?? 'Manual',
      installedCSV: csv,
      currentCSV: csv,
      state: 'AtLatestKnown',
      installPlanRef: { name: 'install-initial', namespace: 'redis-system' },
      resourceVersion: '1',
    },
    csvs: [{ name: csv, version: options.installed, phase: 'Succeeded' }],
    ...(options.platformVersion === undefined ? {} : { platformVersion: options.platformVersion }),
    instances: instances.map((instance) => ({ ...instance })),
    backups: instances.map((instance) => ({
      namespace: instance.namespace,
      name: `${instance.name}-nightly`,
      instance: instance.name,
      condition: 'Complete',
      completionTime: backupTime,
    })),
    capacity: {
      cpuAllocatableMillis: 16_000,
      cpuRequestedMillis: 8_000,
      memoryAllocatableBytes: 64 * GIB,
      memoryRequestedBytes: 32 * GIB,
    },
    pvcs: instances.map((instance) => ({
      namespace: instance.namespace,
      name: `data-${instance.name}-0`,
      phase: 'Bound',
      labels: { 'middleware.instance/name': instance.name },
    })),
    offered: {},
    artifactVersions: {},
    installPlans: [
      {
        name: 'install-initial',
        namespace: 'redis-system',
        csvNames: [csv],
        approval: options.approval ?? 'Manual',
        approved: true,
        phase: 'Complete',
        resourceVersion: '1',
      },
    ],
  };
}
