/** Raw Kubernetes objects reduced to the views of #domain/cluster-views.ts. */
import type {
  Approval,
  CsvView,
  InstallPlanView,
  PvcView,
  RedisBackupView,
  SubscriptionView,
} from '#domain/cluster-views.ts';

export interface KubeObject {
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function toSubscriptionView(object: KubeObject): SubscriptionView {
  const spec = object.spec ?? {};
  const status = object.status ?? {};
  const ref = status.installPlanRef as { name?: string; namespace?: string } | undefined;
  return {
    namespace: object.metadata.namespace ?? '',
    name: object.metadata.name,
    channel: text(spec.channel) ?? '',
    approval: (text(spec.installPlanApproval) as Approval | undefined) ?? 'Automatic',
    installedCSV: text(status.installedCSV),
    currentCSV: text(status.currentCSV),
    state: text(status.state),
    installPlanRef: ref?.name
      ? { name: ref.name, namespace: ref.namespace ?? object.metadata.namespace ?? '' }
      : undefined,
    resourceVersion: object.metadata.resourceVersion,
  };
}

export function toCsvView(object: KubeObject): CsvView {
  return {
    name: object.metadata.name,
    version: text(object.spec?.version),
    phase: text(object.status?.phase),
    message: text(object.status?.message),
  };
}

export function toInstallPlanView(object: KubeObject): InstallPlanView {
  const spec = object.spec ?? {};
  return {
    name: object.metadata.name,
    namespace: object.metadata.namespace ?? '',
    csvNames: Array.isArray(spec.clusterServiceVersionNames)
      ? spec.clusterServiceVersionNames.map(String)
      : [],
    approval: (text(spec.approval) as Approval | undefined) ?? 'Automatic',
    approved: spec.approved === true,
    phase: text(object.status?.phase),
    message: text(object.status?.message),
    resourceVersion: object.metadata.resourceVersion,
  };
}

/** The label redis-upgrader puts on the backups it creates. */
export const INSTANCE_LABEL = 'redis-upgrader.io/instance';

/**
 * Labels naming a backup's instance, as the redis-operator's backup handler sets them (sentinel and
 * failover backups, cluster backups), then ours.
 */
const BACKUP_INSTANCE_LABELS = [
  'redisfailovers.databases.spotahome.com/name',
  'redis.kun/name',
  INSTANCE_LABEL,
];

/** A backup belongs to the instance its spec.source names (the operator's own link), else its labels. */
export function toBackupView(object: KubeObject): RedisBackupView {
  const source = (object.spec?.source ?? {}) as { redisName?: unknown; redisFailoverName?: unknown };
  const labels = object.metadata.labels ?? {};
  const labelled = BACKUP_INSTANCE_LABELS.map((key) => labels[key]).find(Boolean);
  return {
    namespace: object.metadata.namespace ?? '',
    name: object.metadata.name,
    instance: text(source.redisName) || text(source.redisFailoverName) || labelled || '',
    condition: text(object.status?.condition),
    completionTime: text(object.status?.completionTime),
  };
}

export function toPvcView(object: KubeObject): PvcView {
  return {
    namespace: object.metadata.namespace ?? '',
    name: object.metadata.name,
    phase: text(object.status?.phase),
    labels: object.metadata.labels ?? {},
  };
}
