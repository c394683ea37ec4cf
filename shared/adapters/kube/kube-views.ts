/** Raw Kubernetes objects reduced to the views of #domain/cluster-views.ts. */
import type {
  Approval,
  BundleLookupView,
  ConditionView,
  CsvView,
  InstallPlanView,
  PackageChannelView,
  PvcView,
  RedisBackupView,
  SubscriptionView,
} from '#domain/cluster-views.ts';
import type { RedisInstanceKind } from './kube-resources.ts';

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
const list = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value) ? value.filter((item) => item !== null && typeof item === 'object') : [];

function toConditions(value: unknown): ConditionView[] {
  return list(value).map((c) => {
    const condition: ConditionView = { type: text(c.type) ?? '', status: text(c.status) ?? '' };
    const reason = text(c.reason);
    const message = text(c.message);
    if (reason) condition.reason = reason;
    if (message) condition.message = message;
    return condition;
  });
}

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
    conditions: toConditions(status.conditions),
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
  const status = object.status ?? {};
  // OLM fails a plan whose bundle did not unpack through its Installed condition, without status.message.
  const installed = toConditions(status.conditions).find(
    (c) => c.type === 'Installed' && c.status === 'False',
  );
  const bundleLookups: BundleLookupView[] = list(status.bundleLookups).map((lookup) => ({
    identifier: text(lookup.identifier) ?? '',
    path: text(lookup.path) ?? '',
    conditions: toConditions(lookup.conditions),
  }));
  const plannedCsvs = list(status.plan)
    .map((step) => (step.resource ?? {}) as Record<string, unknown>)
    .filter((resource) => resource.kind === 'ClusterServiceVersion')
    .map((resource) => String(resource.name));
  return {
    name: object.metadata.name,
    namespace: object.metadata.namespace ?? '',
    csvNames: Array.isArray(spec.clusterServiceVersionNames)
      ? spec.clusterServiceVersionNames.map(String)
      : [],
    approval: (text(spec.approval) as Approval | undefined) ?? 'Automatic',
    approved: spec.approved === true,
    phase: text(status.phase),
    message: text(status.message) ?? installed?.message,
    bundleLookups,
    plannedCsvs: [...new Set(plannedCsvs)],
    resourceVersion: object.metadata.resourceVersion,
  };
}

interface ManifestChannel {
  name?: unknown;
  currentCSV?: unknown;
  currentCSVDesc?: { annotations?: Record<string, unknown> };
  entries?: { name?: unknown }[];
}

/** A PackageManifest's channel; an absent manifest or channel offers nothing. */
export function toPackageChannelView(manifest: KubeObject | undefined, channel: string): PackageChannelView {
  const channels = (manifest?.status?.channels ?? []) as ManifestChannel[];
  const found = channels.find((c) => c.name === channel);
  if (!found) return { offered: [] };
  const names = (found.entries ?? []).map((entry) => text(entry.name)).filter((n): n is string => Boolean(n));
  const head = text(found.currentCSV);
  if (!head) return { offered: names };
  const skipRange = text(found.currentCSVDesc?.annotations?.['olm.skipRange']);
  return {
    offered: names.includes(head) ? names : [...names, head],
    head: skipRange ? { csv: head, skipRange } : { csv: head },
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

/** An instance's status as its kind reports it (status.phase, or status.status for clusters). */
export function instanceStatus(kind: RedisInstanceKind, object: KubeObject): string | undefined {
  const status = (object.status as Record<string, unknown> | undefined)?.[kind.field];
  return typeof status === 'string' ? status : undefined;
}

export function toPvcView(object: KubeObject): PvcView {
  return {
    namespace: object.metadata.namespace ?? '',
    name: object.metadata.name,
    phase: text(object.status?.phase),
    labels: object.metadata.labels ?? {},
  };
}
