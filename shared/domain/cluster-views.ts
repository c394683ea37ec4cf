/**
 * What the stage handlers see of a workload cluster: OLM and Redis operator objects reduced to the
 * fields the gates and stages decide on (docs/architecture.md §2). The kube adapter builds them from raw
 * objects; the domain's gates read them, so they belong to the domain and the ports import them.
 */
export type Approval = 'Manual' | 'Automatic';

/** A status condition as OLM writes them (Subscription, InstallPlan bundle lookups). */
export interface ConditionView {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface SubscriptionView {
  namespace: string;
  name: string;
  channel: string;
  approval: Approval;
  installedCSV?: string;
  currentCSV?: string;
  state?: string;
  installPlanRef?: { name: string; namespace: string };
  /** status.conditions, e.g. ResolutionFailed when OLM cannot choose an upgrade. */
  conditions?: ConditionView[];
  resourceVersion?: string;
}

export interface CsvView {
  name: string;
  version?: string;
  phase?: string;
  message?: string;
}

/** A bundle OLM unpacks for an InstallPlan (status.bundleLookups). */
export interface BundleLookupView {
  /** The CSV the bundle holds. */
  identifier: string;
  /** The bundle image. */
  path: string;
  /** BundleLookupPending while the unpack job runs, BundleLookupFailed when it failed; none once unpacked. */
  conditions: ConditionView[];
}

export interface InstallPlanView {
  name: string;
  namespace: string;
  csvNames: string[];
  approval: Approval;
  approved: boolean;
  phase?: string;
  /** status.message, else the message of a failed Installed condition. */
  message?: string;
  bundleLookups?: BundleLookupView[];
  /** The ClusterServiceVersions status.plan lists once the bundles are unpacked. */
  plannedCsvs?: string[];
  resourceVersion?: string;
}

/** One channel of a package as the PackageManifest shows it. */
export interface PackageChannelView {
  /** CSV names the channel offers. */
  offered: string[];
  /** The channel head (currentCSV) and its olm.skipRange annotation, from currentCSVDesc. */
  head?: { csv: string; skipRange?: string };
}

/** The Redis instance kinds the operator manages. */
export const REDIS_KINDS = ['Redis', 'RedisFailover', 'RedisSentinel', 'DistributedRedisCluster'] as const;
export type RedisKind = (typeof REDIS_KINDS)[number];

export interface RedisInstanceView {
  kind: RedisKind;
  namespace: string;
  name: string;
  healthy: boolean;
  /** status.phase or status.status as reported */
  status?: string;
}

export interface RedisBackupView {
  namespace: string;
  name: string;
  instance: string;
  condition?: string;
  completionTime?: string;
}

export interface CapacityView {
  cpuAllocatableMillis: number;
  cpuRequestedMillis: number;
  memoryAllocatableBytes: number;
  memoryRequestedBytes: number;
}

export interface PvcView {
  namespace: string;
  name: string;
  phase?: string;
  labels: Record<string, string>;
}
