/**
 * A summary of one simulated cluster's OLM, catalog, upload and instance objects, read straight
 * from its store (what tests assert on, without going through the API).
 */
import {
  ARTIFACT_VERSION,
  CSV,
  DISTRIBUTED_REDIS_CLUSTER,
  INSTALL_PLAN,
  PACKAGE_MANIFEST,
  REDIS,
  REDIS_FAILOVER,
  REDIS_SENTINEL,
  SUBSCRIPTION,
} from '#sim/resource-types.ts';
import type { ClusterStore } from '#sim/store/cluster-store.ts';

export interface ClusterState {
  subscription:
    | { installedCSV?: string; currentCSV?: string; state?: string; installPlanRef?: { name: string } }
    | undefined;
  csvs: Record<string, string | undefined>;
  installPlans: { name: string; phase?: string; approved?: boolean; csvNames: string[] }[];
  /** CSV names the PackageManifest offers, over all channels. */
  offered: string[];
  artifactVersions: Record<string, string | undefined>;
  /** Instance `Kind/namespace/name` -> status.phase (status.status for DistributedRedisCluster). */
  instances: Record<string, string | undefined>;
}

const field = (obj: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], obj);

export function readClusterState(store: ClusterStore): ClusterState {
  // By name: a merged-plan scenario has a second operator's Subscription in redis-system too.
  const subscription = store.get(SUBSCRIPTION, 'redis-system', 'redis-operator');
  const phases = (list: ReturnType<ClusterStore['list']>, ...path: string[]) =>
    Object.fromEntries(list.map((o) => [o.metadata.name, field(o, ...path) as string | undefined]));
  const instances = [REDIS, REDIS_FAILOVER, REDIS_SENTINEL, DISTRIBUTED_REDIS_CLUSTER].flatMap((t) =>
    store
      .list(t)
      .map((o) => [
        `${t.kind}/${o.metadata.namespace}/${o.metadata.name}`,
        field(o, 'status', t === DISTRIBUTED_REDIS_CLUSTER ? 'status' : 'phase') as string | undefined,
      ]),
  );
  const channels = store
    .list(PACKAGE_MANIFEST)
    .flatMap(
      (pm) => (field(pm, 'status', 'channels') as { entries?: { name: string }[] }[] | undefined) ?? [],
    );
  return {
    subscription: subscription
      ? ((field(subscription, 'status') as ClusterState['subscription']) ?? {})
      : undefined,
    csvs: phases(store.list(CSV), 'status', 'phase'),
    installPlans: store.list(INSTALL_PLAN).map((ip) => ({
      name: ip.metadata.name,
      phase: field(ip, 'status', 'phase') as string | undefined,
      approved: field(ip, 'spec', 'approved') as boolean | undefined,
      csvNames: (field(ip, 'spec', 'clusterServiceVersionNames') as string[] | undefined) ?? [],
    })),
    offered: [...new Set(channels.flatMap((ch) => (ch.entries ?? []).map((e) => e.name)))],
    artifactVersions: phases(store.list(ARTIFACT_VERSION), 'status', 'reason'),
    instances: Object.fromEntries(instances),
  };
}
