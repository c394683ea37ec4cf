/**
 * The prerequisite gates of the vendor upgrade guide (docs/architecture.md §2), as pure checks over what the
 * cluster reported. Each returns findings that name the resource at fault, so a blocked job
 * tells the on-call engineer exactly what to fix.
 */
import * as z from 'zod';
import type { CapacityView, PvcView, RedisBackupView, RedisInstanceView } from '#domain/cluster-views.ts';
import { type InstanceRef, instanceName } from '#domain/redis-instance.ts';

export type FindingKind =
  | 'instance-unhealthy'
  | 'instance-missing'
  | 'cpu-headroom'
  | 'memory-headroom'
  | 'pvc-unbound'
  | 'backup-missing'
  | 'backup-stale'
  | 'backup-failed';

export interface Finding {
  kind: FindingKind;
  /** The resource at fault, e.g. `Redis cache/orders`, `PVC cache/data-orders-0`, `cluster CPU`. */
  resource: string;
  /** One sentence naming the resource and what is wrong. */
  message: string;
}

/** Every Redis instance of all four kinds must report Ready (Healthy for DistributedRedisCluster). */
export function checkInstances(instances: readonly RedisInstanceView[]): Finding[] {
  return instances
    .filter((instance) => !instance.healthy)
    .map((instance) => {
      const resource = instanceName(instance);
      return {
        kind: 'instance-unhealthy',
        resource,
        message: `${resource} is ${instance.status ?? 'not reporting a status'}`,
      };
    });
}

/** Every instance in `expected` must still exist. */
export function checkInstancesPresent(
  expected: readonly InstanceRef[],
  instances: readonly RedisInstanceView[],
): Finding[] {
  const present = new Set(instances.map(instanceName));
  return expected
    .map(instanceName)
    .filter((resource) => !present.has(resource))
    .map((resource) => ({
      kind: 'instance-missing',
      resource,
      message: `${resource} is missing (it existed before the upgrade)`,
    }));
}

/** Headroom that node allocatable minus pod requests must leave; every runtime's settings parse with it. */
export const capacityThresholdsSchema = z.strictObject({
  /** Share of allocatable CPU that must stay unrequested, 0..100. */
  minFreeCpuPercent: z.number().min(0).max(100),
  /** Share of allocatable memory that must stay unrequested, 0..100. */
  minFreeMemoryPercent: z.number().min(0).max(100),
  /** Unrequested CPU that must remain in any case, in millicores (room for the new operator pods). */
  minFreeCpuMillis: z.number().int().min(0).optional(),
  /** Unrequested memory that must remain in any case, in bytes. */
  minFreeMemoryBytes: z.number().int().min(0).optional(),
});

export type CapacityThresholds = z.infer<typeof capacityThresholdsSchema>;

export const DEFAULT_CAPACITY_THRESHOLDS: CapacityThresholds = {
  minFreeCpuPercent: 10,
  minFreeMemoryPercent: 10,
};

function formatCpu(millis: number): string {
  return millis >= 1000 ? `${(millis / 1000).toFixed(1)} cores` : `${Math.round(millis)}m CPU`;
}

function formatBytes(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  return gib >= 1 ? `${gib.toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

interface Headroom {
  kind: 'cpu-headroom' | 'memory-headroom';
  resource: string;
  allocatable: number;
  requested: number;
  minFreePercent: number;
  minFree: number;
  format: (value: number) => string;
}

function checkHeadroom(h: Headroom): Finding[] {
  if (h.allocatable <= 0) {
    return [
      { kind: h.kind, resource: h.resource, message: `${h.resource}: no allocatable capacity reported` },
    ];
  }
  const free = Math.max(0, h.allocatable - h.requested);
  const freePercent = (free / h.allocatable) * 100;
  if (freePercent >= h.minFreePercent && free >= h.minFree) return [];
  const need = h.minFree > 0 ? ` and ${h.format(h.minFree)}` : '';
  return [
    {
      kind: h.kind,
      resource: h.resource,
      message:
        `${h.resource}: ${h.format(free)} of ${h.format(h.allocatable)} allocatable is unrequested ` +
        `(${Math.floor(freePercent)}%; need at least ${h.minFreePercent}%${need})`,
    },
  ];
}

/** Node allocatable minus pod requests must leave the configured headroom. */
export function checkCapacity(capacity: CapacityView, thresholds: CapacityThresholds): Finding[] {
  return [
    ...checkHeadroom({
      kind: 'cpu-headroom',
      resource: 'cluster CPU',
      allocatable: capacity.cpuAllocatableMillis,
      requested: capacity.cpuRequestedMillis,
      minFreePercent: thresholds.minFreeCpuPercent,
      minFree: thresholds.minFreeCpuMillis ?? 0,
      format: formatCpu,
    }),
    ...checkHeadroom({
      kind: 'memory-headroom',
      resource: 'cluster memory',
      allocatable: capacity.memoryAllocatableBytes,
      requested: capacity.memoryRequestedBytes,
      minFreePercent: thresholds.minFreeMemoryPercent,
      minFree: thresholds.minFreeMemoryBytes ?? 0,
      format: formatBytes,
    }),
  ];
}

/** The instance a PVC belongs to, when one of its labels names an instance of its namespace. */
function owningInstance(
  pvc: PvcView,
  instances: readonly RedisInstanceView[],
): RedisInstanceView | undefined {
  const values = new Set(Object.values(pvc.labels));
  return instances.find((instance) => instance.namespace === pvc.namespace && values.has(instance.name));
}

/** Every PVC the cluster reported for the Redis instances must be Bound. */
export function checkPvcs(pvcs: readonly PvcView[], instances: readonly RedisInstanceView[] = []): Finding[] {
  return pvcs
    .filter((pvc) => pvc.phase !== 'Bound')
    .map((pvc) => {
      const resource = `PVC ${pvc.namespace}/${pvc.name}`;
      const owner = owningInstance(pvc, instances);
      return {
        kind: 'pvc-unbound',
        resource,
        message: `${resource}${owner ? ` (${instanceName(owner)})` : ''} is ${pvc.phase ?? 'without a phase'}, not Bound`,
      };
    });
}

export interface BackupPolicy {
  maxAgeSeconds: number;
  now: Date;
}

/** A backup is recent when it completed within this age, unless the job or the settings say otherwise. */
export const DEFAULT_MAX_BACKUP_AGE_SECONDS = 24 * 3600;

/** `31h`, `45m`, `2d 3h`: ages and limits as an operator reads them. */
export function formatAge(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 72) return `${hours}h`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days}d` : `${days}d ${hours % 24}h`;
}

function backupsOf(instance: InstanceRef, backups: readonly RedisBackupView[]): RedisBackupView[] {
  return backups.filter(
    (backup) => backup.namespace === instance.namespace && backup.instance === instance.name,
  );
}

function completedAt(backup: RedisBackupView): number | undefined {
  if (backup.condition !== 'Complete' || !backup.completionTime) return undefined;
  const at = Date.parse(backup.completionTime);
  return Number.isNaN(at) ? undefined : at;
}

function missingBackup(resource: string, own: readonly RedisBackupView[]): Finding {
  const others = own.map((backup) => `${backup.name} ${backup.condition ?? 'without a condition'}`);
  const detail = others.length > 0 ? ` (${others.join(', ')})` : '';
  return { kind: 'backup-missing', resource, message: `${resource}: no Complete backup${detail}` };
}

/**
 * Every instance needs a Complete backup finished within the maximum age. A newer Running or
 * Failed backup does not void an older Complete one that is still recent.
 */
export function checkBackups(
  instances: readonly InstanceRef[],
  backups: readonly RedisBackupView[],
  policy: BackupPolicy,
): Finding[] {
  const findings: Finding[] = [];
  for (const instance of instances) {
    const resource = instanceName(instance);
    const own = backupsOf(instance, backups);
    const newest = Math.max(...own.map(completedAt).filter((at): at is number => at !== undefined));
    if (!Number.isFinite(newest)) {
      findings.push(missingBackup(resource, own));
      continue;
    }
    const age = (policy.now.getTime() - newest) / 1000;
    if (age > policy.maxAgeSeconds) {
      findings.push({
        kind: 'backup-stale',
        resource,
        message: `${resource}: newest backup ${formatAge(age)} old (max ${formatAge(policy.maxAgeSeconds)})`,
      });
    }
  }
  return findings;
}

/** Instances named in backup findings (the ones a `takeBackup` run must back up). */
export function instancesNeedingBackup<I extends InstanceRef>(
  instances: readonly I[],
  findings: readonly Finding[],
): I[] {
  const named = new Set(findings.map((finding) => finding.resource));
  return instances.filter((instance) => named.has(instanceName(instance)));
}

/** One reason naming every finding, shortened for fleets with thousands of instances. */
export function summarizeFindings(headline: string, findings: readonly Finding[], limit = 10): string {
  const shown = findings.slice(0, limit).map((finding) => finding.message);
  const more = findings.length > limit ? `; and ${findings.length - limit} more` : '';
  return `${headline}: ${shown.join('; ')}${more}`;
}
