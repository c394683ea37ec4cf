/**
 * What one simulated workload cluster looks like and how it behaves (issue 3): the input of
 * seedCluster and startControllers. Scenario files (PLATFORM) resolve to one of these per cluster.
 */
import type { BundleGraph } from '#sim/packages/example-bundles.ts';

/** Per version of the Redis operator, the graph fields a cluster's catalog holds instead of the package's. */
export type GraphOverrides = Record<string, Partial<BundleGraph>>;

export type RedisInstanceKind = 'Redis' | 'RedisFailover' | 'RedisSentinel' | 'DistributedRedisCluster';

export interface InstanceSpec {
  kind: RedisInstanceKind;
  name: string;
  namespace: string;
  /** false: seeded Error/Fail/Failed and stays so through upgrades. */
  healthy: boolean;
}

export interface ClusterSpec {
  /** e.g. '3.16.2' -> CSV redis-operator.v3.16.2 Succeeded. */
  installedVersion: string;
  channel: string;
  approval: 'Manual' | 'Automatic';
  /** ProductBase `base` status.version (as `v<platformVersion>`) and ConfigMap kube-public/acp-version data.version. */
  platformVersion: string;
  instances: InstanceSpec[];
  /** Age of each instance's newest Complete RedisBackup; null = no backups at all. */
  backupAgeSeconds: number | null;
  nodes: { count: number; cpuMillis: number; memoryBytes: number };
  /** Sum of the Running pods' requests as a share of the nodes' allocatable (cpu and memory alike). */
  requestedFraction: number;
  /** Names of PVCs left Pending (see instancePvcNames in #sim/controllers/redis-objects.ts). */
  pvcsPending?: string[];
  /** Simulated ms from ArtifactVersion Success to the CSV appearing in the PackageManifest. */
  syncDelayMs: number;
  /** Simulated ms from InstallPlan approval to the new CSV's Succeeded (or Failed). */
  installTimeMs: number;
  /** Simulated ms from a RedisBackup's creation to its Complete. */
  backupTimeMs: number;
  /** Simulated ms instances stay Rebalancing/Initializing after the new operator is up; default installTimeMs / 2. */
  upgradeSettleMs?: number;
  /** The next install fails: CSV Failed, InstallPlan Failed, Subscription UpgradeFailed. */
  failInstall?: boolean;
  /**
   * Bundle images never reach this cluster's registry: every InstallPlan's unpack job fails
   * (BundleLookupFailed, plan Failed), as on ACP when an upload pushed the images elsewhere.
   */
  failUnpack?: boolean;
  /** This cluster's catalog beyond what the installed version implies. */
  catalog?: {
    /** Versions uploaded before the run besides the installed one (someone else's violet push). */
    uploaded?: string[];
    /**
     * Per version, the upgrade graph this catalog holds instead of the package's (a rebuilt
     * bundle, a hand-edited index): how OLM and the upgrader's plan come to disagree.
     */
    bundles?: GraphOverrides;
  };
  traps?: {
    /** OLM merges this plan with another operator's pending plan in redis-system. */
    mergedPlan?: boolean;
  };
}
