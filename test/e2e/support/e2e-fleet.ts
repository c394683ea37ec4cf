/**
 * A simulated fleet for end-to-end tests: one cluster per named role, each built from shared
 * defaults plus the role's scenario settings, on a fast clock, with a kubeconfig on disk and the
 * simulator's counts of what the pipeline did to each cluster.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeBackupStatus } from '#sim/controllers/redis-objects.ts';
import { writeStatus } from '#sim/controllers/store-writes.ts';
import { type ClusterState, type Fleet, startFleet } from '#sim/fleet.ts';
import { REDIS_BACKUP, SUBSCRIPTION } from '#sim/resource-types.ts';
import { parseScenario, type ScenarioInput } from '#sim/scenario.ts';
import type { KubeObject } from '#sim/store/cluster-store.ts';

export type ClusterSettings = NonNullable<ScenarioInput['defaults']>;

/** What every e2e cluster is unless its role says otherwise: healthy, backed up, roomy, Manual approval. */
export const E2E_DEFAULTS: ClusterSettings = {
  installedVersion: '3.16.2',
  channel: 'stable',
  platformVersion: '3.18.0',
  approval: 'Manual',
  instances: [{ kind: 'Redis' }, { kind: 'RedisFailover' }],
  backupAge: '1h',
  nodes: { count: 3, cpu: 16, memoryGi: 64 },
  headroom: 0.5,
  // The real catalog sync takes ~15 minutes and an install ~2: tens of ms at the test speed.
  syncDelay: '15m',
  installTime: '2m',
  backupTime: '1m',
};

export const E2E_SPEED = 20_000;

/** Side effects on one cluster, from the simulator's ledger (sim/ledger.ts). */
export interface SimCounters {
  /** InstallPlan approvals, over all plans. */
  approvals: number;
  /** ArtifactVersion writes by the upload endpoint, per version name (each violet push). */
  uploads: Map<string, number>;
}

export interface E2eFleet {
  fleet: Fleet;
  dir: string;
  kubeconfigPath: string;
  /** The fleet's CA next to the kubeconfig (the platforms serve HTTPS). */
  caFile: string;
  /** The cluster name of a role. */
  name(role: string): string;
  counters(role: string): SimCounters;
  state(role: string): ClusterState;
  /** The cluster's redis-operator Subscription as stored (spec and status). */
  subscription(role: string): KubeObject;
  /** The cluster's RedisBackups, `namespace/name` -> status.condition. */
  backups(role: string): Record<string, string | undefined>;
  /**
   * Completes the cluster's Running RedisBackups now, as the operator does when a backup job ends:
   * a role whose backupTime outlasts the test holds backups Running until the test says so.
   */
  completeBackups(role: string): void;
  stop(): Promise<void>;
}

export async function startE2eFleet(
  roles: Record<string, ClusterSettings>,
  options: { speed?: number } = {},
): Promise<E2eFleet> {
  const entries = Object.entries(roles);
  const width = Math.max(2, String(entries.length).length);
  const names = new Map(entries.map(([role], i) => [role, `e2e-${String(i + 1).padStart(width, '0')}`]));
  const scenario = parseScenario({
    seed: 11,
    clusters: { count: entries.length, namePrefix: 'e2e-' },
    defaults: E2E_DEFAULTS,
    groups: entries.map(([role, set]) => ({ match: { names: [names.get(role) as string] }, set })),
  });
  const dir = await mkdtemp(join(tmpdir(), 'redis-upgrader-e2e-'));
  const fleet = await startFleet({ scenario, speed: options.speed ?? E2E_SPEED });
  const kubeconfigPath = join(dir, 'kubeconfig');
  const { caFile } = await fleet.writeKubeconfig(kubeconfigPath);
  if (!caFile) throw new Error('the e2e fleet serves HTTPS, so it has a CA file');
  const name = (role: string) => {
    const found = names.get(role);
    if (!found) throw new Error(`no e2e cluster for role ${role}`);
    return found;
  };
  const store = (role: string) => fleet.cluster(name(role)).sim.store;
  const condition = (backup: KubeObject) => (backup.status as { condition?: string } | undefined)?.condition;
  return {
    fleet,
    dir,
    kubeconfigPath,
    caFile,
    name,
    counters(role) {
      const { uploads, approvals } = fleet.clusterLedger(name(role));
      return {
        approvals: Object.values(approvals).reduce((sum, plan) => sum + plan.count, 0),
        uploads: new Map(Object.entries(uploads)),
      };
    },
    state: (role) => fleet.clusterState(name(role)),
    subscription: (role) => store(role).get(SUBSCRIPTION, 'redis-system', 'redis-operator') as KubeObject,
    backups: (role) =>
      Object.fromEntries(
        store(role)
          .list(REDIS_BACKUP)
          .map((b) => [`${b.metadata.namespace}/${b.metadata.name}`, condition(b)]),
      ),
    completeBackups(role) {
      for (const backup of store(role).list(REDIS_BACKUP)) {
        if (condition(backup) !== 'Running') continue;
        const { startTime } = backup.status as { startTime: string };
        writeStatus(store(role), REDIS_BACKUP, backup, {
          ...(backup.status as object),
          ...completeBackupStatus(backup.metadata.name, new Date(startTime), new Date()),
        });
      }
    },
    async stop() {
      await fleet.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
