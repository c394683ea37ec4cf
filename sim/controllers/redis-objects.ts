/**
 * Redis instances and what the Alauda redis-operator derives from them, named and labelled as the
 * operator does (alauda/redis-operator: sentinel builders label `redisfailovers.databases.spotahome.com/name`,
 * cluster builders `redis.kun/name`, both add `middleware.instance/name` and `middleware.instance/type`).
 * Field names are checked against the CRDs in sim/crds.
 */
import type { InstanceSpec, RedisInstanceKind } from '#sim/cluster-spec.ts';
import {
  apiVersionOf,
  DISTRIBUTED_REDIS_CLUSTER,
  PVC,
  REDIS,
  REDIS_BACKUP,
  REDIS_FAILOVER,
  REDIS_SENTINEL,
  type ResourceType,
} from '#sim/resource-types.ts';
import type { KubeObject } from '#sim/store/cluster-store.ts';
import { kubeTimestamp } from '#sim/store/object-meta.ts';

export type InstanceState = 'healthy' | 'unhealthy' | 'transitional';

interface KindInfo {
  type: ResourceType;
  /** status field that carries health */
  field: 'phase' | 'status';
  values: Record<InstanceState, string>;
  instanceType: string;
  /** statefulset whose pods hold the data (`<prefix>-<name>`) */
  statefulSetPrefix: string;
  persistent: boolean;
}

/** Health values from the operator's API types (Redis: Ready/Initializing/Error; failover: Ready/WaitingPodReady/Fail; DRC: Healthy/Rebalancing/Failed). */
export const INSTANCE_KINDS: Record<RedisInstanceKind, KindInfo> = {
  Redis: {
    type: REDIS,
    field: 'phase',
    values: { healthy: 'Ready', unhealthy: 'Error', transitional: 'Initializing' },
    instanceType: 'redis-failover',
    statefulSetPrefix: 'rfr',
    persistent: true,
  },
  RedisFailover: {
    type: REDIS_FAILOVER,
    field: 'phase',
    values: { healthy: 'Ready', unhealthy: 'Fail', transitional: 'WaitingPodReady' },
    instanceType: 'redis-failover',
    statefulSetPrefix: 'rfr',
    persistent: true,
  },
  RedisSentinel: {
    type: REDIS_SENTINEL,
    field: 'phase',
    values: { healthy: 'Ready', unhealthy: 'Fail', transitional: 'WaitingPodReady' },
    instanceType: 'redis-sentinel',
    statefulSetPrefix: 'rfs',
    persistent: false,
  },
  DistributedRedisCluster: {
    type: DISTRIBUTED_REDIS_CLUSTER,
    field: 'status',
    values: { healthy: 'Healthy', unhealthy: 'Failed', transitional: 'Rebalancing' },
    instanceType: 'distributed-redis-cluster',
    statefulSetPrefix: 'drc',
    persistent: true,
  },
};

export const INSTANCE_KIND_NAMES = Object.keys(INSTANCE_KINDS) as RedisInstanceKind[];
export const STORAGE_CLASS = 'sc-topolvm';
const DATA_SIZE = '1Gi';
const RESOURCES = { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } };

export function instanceHealth(kind: RedisInstanceKind, obj: KubeObject): string | undefined {
  const value = (obj.status as Record<string, unknown> | undefined)?.[INSTANCE_KINDS[kind].field];
  return typeof value === 'string' ? value : undefined;
}

/** The status the operator reports in `state`, keeping what else the status holds. */
export function instanceStatus(
  kind: RedisInstanceKind,
  state: InstanceState,
  previous?: Record<string, unknown>,
): Record<string, unknown> {
  const value = INSTANCE_KINDS[kind].values[state];
  if (kind === 'DistributedRedisCluster') {
    return {
      ...previous,
      status: value,
      clusterStatus: state === 'unhealthy' ? 'OutOfService' : 'InService',
      reason: state === 'healthy' ? 'OK' : value === 'Rebalancing' ? 'slots migrating' : 'cluster is down',
      numberOfMaster: CLUSTER_SHARDS,
      minReplicationFactor: 1,
      maxReplicationFactor: 1,
    };
  }
  const messages: Record<InstanceState, string> = {
    healthy: '',
    unhealthy: 'redis instance is not ready: master not found',
    transitional: 'waiting for pods to be ready',
  };
  const { message: _message, ...rest } = previous ?? {};
  return { ...rest, phase: value, ...(messages[state] ? { message: messages[state] } : {}) };
}

/** The operator's public labels on everything it creates for an instance. */
export function instanceLabels(kind: RedisInstanceKind, name: string): Record<string, string> {
  const info = INSTANCE_KINDS[kind];
  const own: Record<string, string> =
    kind === 'DistributedRedisCluster'
      ? { 'redis.kun/name': name, 'managed-by': 'redis-cluster-operator' }
      : {
          'redisfailovers.databases.spotahome.com/name': name,
          'app.kubernetes.io/managed-by': 'redis-operator',
        };
  return { ...own, 'middleware.instance/name': name, 'middleware.instance/type': info.instanceType };
}

/** The CRD's minimum: a DistributedRedisCluster has at least 3 shards (masterSize >= 3). */
const CLUSTER_SHARDS = 3;

/**
 * Data pods, as the operator's statefulsets name them: `rfr-<name>-0/1` (Redis, RedisFailover),
 * `rfs-<name>-0/1` (RedisSentinel), `drc-<name>-<shard>-0/1` for the 3 shards of a DistributedRedisCluster.
 */
export function instancePodNames(kind: RedisInstanceKind, name: string): string[] {
  const sets =
    kind === 'DistributedRedisCluster'
      ? Array.from({ length: CLUSTER_SHARDS }, (_, shard) => `drc-${name}-${shard}`)
      : [`${INSTANCE_KINDS[kind].statefulSetPrefix}-${name}`];
  return sets.flatMap((sts) => [`${sts}-0`, `${sts}-1`]);
}

/** PVCs of the data pods, named `<claimTemplate>-<pod>` as a statefulset names them; sentinels keep none. */
export function instancePvcNames(kind: RedisInstanceKind, name: string): string[] {
  if (!INSTANCE_KINDS[kind].persistent) return [];
  return instancePodNames(kind, name).map((pod) => `redis-data-${pod}`);
}

function instanceSpec(kind: RedisInstanceKind, name: string): Record<string, unknown> {
  switch (kind) {
    case 'Redis':
      return {
        arch: 'sentinel',
        version: '6.0',
        resources: RESOURCES,
        persistent: { storageClassName: STORAGE_CLASS },
        persistentSize: DATA_SIZE,
        replicas: { sentinel: { master: 1, slave: 1 } },
      };
    case 'RedisFailover':
      return {
        redis: {
          replicas: 2,
          resources: RESOURCES,
          storage: {
            keepAfterDeletion: true,
            persistentVolumeClaim: {
              metadata: { name: 'redis-data' },
              spec: {
                accessModes: ['ReadWriteOnce'],
                resources: { requests: { storage: DATA_SIZE } },
                storageClassName: STORAGE_CLASS,
              },
            },
          },
        },
        sentinel: { replicas: 3, resources: RESOURCES },
      };
    case 'RedisSentinel':
      return { replicas: 3, resources: RESOURCES };
    default:
      return {
        masterSize: CLUSTER_SHARDS,
        clusterReplicas: 1,
        serviceName: name,
        resources: RESOURCES,
        storage: { class: STORAGE_CLASS, size: DATA_SIZE, type: 'persistent-claim', deleteClaim: false },
      };
  }
}

export function buildInstance(instance: InstanceSpec): KubeObject {
  const { kind, name, namespace } = instance;
  const type = INSTANCE_KINDS[kind].type;
  return {
    apiVersion: apiVersionOf(type),
    kind: type.kind,
    metadata: { name, namespace },
    spec: instanceSpec(kind, name),
    status: instanceStatus(kind, instance.healthy ? 'healthy' : 'unhealthy'),
  };
}

export function buildPvc(instance: InstanceSpec, name: string, pending: boolean): KubeObject {
  const spec = {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: DATA_SIZE } },
    storageClassName: STORAGE_CLASS,
    volumeMode: 'Filesystem',
  };
  return {
    apiVersion: apiVersionOf(PVC),
    kind: PVC.kind,
    metadata: { name, namespace: instance.namespace, labels: instanceLabels(instance.kind, instance.name) },
    spec: pending ? spec : { ...spec, volumeName: `pvc-${name}` },
    status: pending
      ? { phase: 'Pending' }
      : { phase: 'Bound', accessModes: spec.accessModes, capacity: { storage: DATA_SIZE } },
  };
}

/**
 * How the operator links a backup to its instance: spec.source.redisFailoverName for a
 * RedisFailover, spec.source.redisName (+ sourceType cluster for a DistributedRedisCluster) otherwise,
 * and the label its backup handler adds (`redisfailovers.databases.spotahome.com/name` or `redis.kun/name`).
 */
export function backupSource(kind: RedisInstanceKind, name: string): Record<string, string> {
  if (kind === 'RedisFailover') return { redisFailoverName: name, storageClassName: STORAGE_CLASS };
  if (kind === 'DistributedRedisCluster')
    return { redisName: name, sourceType: 'cluster', storageClassName: STORAGE_CLASS };
  return { redisName: name, storageClassName: STORAGE_CLASS };
}

export function backupLabel(sourceType: string | undefined): string {
  return sourceType === 'cluster' ? 'redis.kun/name' : 'redisfailovers.databases.spotahome.com/name';
}

export function completeBackupStatus(
  name: string,
  startedAt: Date,
  completedAt: Date,
): Record<string, unknown> {
  return {
    condition: 'Complete',
    jobName: `redis-backup-${name}`,
    destination: `pvc/redis-backup-${name}`,
    startTime: kubeTimestamp(startedAt),
    completionTime: kubeTimestamp(completedAt),
  };
}

export function buildBackup(instance: InstanceSpec, completedAt: Date, durationMs: number): KubeObject {
  const source = backupSource(instance.kind, instance.name);
  const name = `${instance.name}-backup`;
  return {
    apiVersion: apiVersionOf(REDIS_BACKUP),
    kind: REDIS_BACKUP.kind,
    metadata: {
      name,
      namespace: instance.namespace,
      labels: { [backupLabel(source.sourceType)]: instance.name },
    },
    spec: { source, storage: DATA_SIZE },
    status: completeBackupStatus(name, new Date(completedAt.getTime() - durationMs), completedAt),
  };
}
