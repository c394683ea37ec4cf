/**
 * The operator's RedisBackup handling: a new RedisBackup (no status.condition yet) whose source
 * instance exists and is healthy gets the operator's instance label, goes Running with a job, and
 * backupTimeMs later Complete with startTime/completionTime. Like the real handler, a backup whose
 * instance is missing or not ready is retried (every 10 simulated seconds) rather than failed.
 */
import type { RedisInstanceKind } from '#sim/cluster-spec.ts';
import type { Controller, ControllerContext } from '#sim/controllers/controller-context.ts';
import {
  backupLabel,
  completeBackupStatus,
  INSTANCE_KINDS,
  instanceHealth,
} from '#sim/controllers/redis-objects.ts';
import { sameResource, writeStatus } from '#sim/controllers/store-writes.ts';
import { REDIS_BACKUP } from '#sim/resource-types.ts';
import type { KubeObject } from '#sim/store/cluster-store.ts';

export const BACKUP_RETRY_MS = 10_000;

interface BackupSource {
  redisName?: string;
  redisFailoverName?: string;
  sourceType?: string;
}

/** Where the handler looks a source up: failover name first, then the kinds a redisName may mean. */
function candidateKinds(source: BackupSource): RedisInstanceKind[] {
  if (source.redisFailoverName) return ['RedisFailover'];
  if (source.sourceType === 'cluster') return ['DistributedRedisCluster'];
  return ['Redis', 'RedisFailover', 'RedisSentinel', 'DistributedRedisCluster'];
}

export function backupController(ctx: ControllerContext): Controller {
  const { store } = ctx;
  const running = new Set<string>();

  const sourceReady = (backup: KubeObject, source: BackupSource, instance: string) =>
    candidateKinds(source).some((kind) => {
      const obj = store.get(INSTANCE_KINDS[kind].type, backup.metadata.namespace, instance);
      return obj !== undefined && instanceHealth(kind, obj) === INSTANCE_KINDS[kind].values.healthy;
    });

  const finish = (namespace: string, name: string, uid: string) => {
    const backup = store.get(REDIS_BACKUP, namespace, name);
    running.delete(uid);
    const status = backup?.status as { condition?: string; startTime?: string } | undefined;
    if (!backup || backup.metadata.uid !== uid || status?.condition !== 'Running') return;
    const startedAt = status.startTime ? new Date(status.startTime) : ctx.clock.now();
    writeStatus(store, REDIS_BACKUP, backup, {
      ...(backup.status as object),
      ...completeBackupStatus(name, startedAt, ctx.clock.now()),
    });
  };

  const start = (namespace: string, name: string) => {
    let backup = store.get(REDIS_BACKUP, namespace, name);
    const uid = backup?.metadata.uid ?? '';
    if (!backup || (backup.status as { condition?: string } | undefined)?.condition || running.has(uid))
      return;
    const source = ((backup.spec as { source?: BackupSource } | undefined)?.source ?? {}) as BackupSource;
    const instance = source.redisFailoverName || source.redisName;
    if (!instance || !sourceReady(backup, source, instance)) {
      ctx.after(BACKUP_RETRY_MS, () => enqueue(namespace, name));
      return;
    }
    running.add(uid);
    const label = backupLabel(source.sourceType);
    if (backup.metadata.labels?.[label] !== instance) {
      backup = store.update(REDIS_BACKUP, {
        ...backup,
        metadata: { ...backup.metadata, labels: { ...backup.metadata.labels, [label]: instance } },
      });
    }
    const now = ctx.now();
    writeStatus(store, REDIS_BACKUP, backup, {
      ...(backup.status as object),
      condition: 'Running',
      jobName: `redis-backup-${name}`,
      startTime: now,
      lastCheckTime: now,
    });
    ctx.after(ctx.spec.backupTimeMs, () => finish(namespace, name, uid));
  };

  const enqueue = (namespace: string, name: string) =>
    ctx.enqueue(`backup/${namespace}/${name}`, () => start(namespace, name));

  const consider = (backup: KubeObject) => {
    const condition = (backup.status as { condition?: string } | undefined)?.condition;
    if (!condition && !running.has(backup.metadata.uid ?? ''))
      enqueue(backup.metadata.namespace ?? '', backup.metadata.name);
  };

  return {
    onEvent({ type, resource, object }) {
      if (type !== 'DELETED' && sameResource(resource, REDIS_BACKUP)) consider(object);
    },
    resync() {
      for (const backup of store.list(REDIS_BACKUP)) consider(backup);
    },
  };
}
