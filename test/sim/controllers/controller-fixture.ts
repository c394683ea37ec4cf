/** One simulated cluster seeded and running its controllers, driven straight through its store. */

import { SimClock } from '#sim/clock.ts';
import type { ClusterSpec } from '#sim/cluster-spec.ts';
import { CATALOG_NAMESPACE, OPERATOR_NAMESPACE, REDIS_PACKAGE } from '#sim/controllers/olm-objects.ts';
import { unpacked } from '#sim/controllers/olm-status.ts';
import { startControllers } from '#sim/controllers/start-controllers.ts';
import { ARTIFACT_VERSION, INSTALL_PLAN, PACKAGE_MANIFEST, SUBSCRIPTION } from '#sim/resource-types.ts';
import { type SeedCatalog, seedCluster } from '#sim/seed-cluster.ts';
import { ClusterStore, type KubeObject } from '#sim/store/cluster-store.ts';

export function clusterSpec(overrides: Partial<ClusterSpec> = {}): ClusterSpec {
  return {
    installedVersion: '3.16.2',
    channel: 'stable',
    approval: 'Manual',
    platformVersion: '3.18.1',
    instances: [
      { kind: 'Redis', name: 'cache', namespace: 'team-a', healthy: true },
      { kind: 'RedisFailover', name: 'sessions', namespace: 'team-a', healthy: true },
      { kind: 'RedisSentinel', name: 'sessions-sentinel', namespace: 'team-a', healthy: true },
      { kind: 'DistributedRedisCluster', name: 'orders', namespace: 'team-b', healthy: true },
    ],
    backupAgeSeconds: 3600,
    nodes: { count: 3, cpuMillis: 8000, memoryBytes: 32 * 1024 ** 3 },
    requestedFraction: 0.5,
    syncDelayMs: 15 * 60_000,
    installTimeMs: 5 * 60_000,
    backupTimeMs: 2 * 60_000,
    ...overrides,
  };
}

export interface RunningCluster {
  store: ClusterStore;
  clock: SimClock;
  errors: unknown[];
  stop(): void;
}

/** speed 1e6: a simulated 15 minutes passes in under a real millisecond. */
export function runCluster(
  spec: ClusterSpec,
  options: { speed?: number; catalog?: SeedCatalog } = {},
): RunningCluster {
  const store = new ClusterStore('test-cluster');
  const clock = new SimClock(options.speed ?? 1_000_000);
  seedCluster(store, spec, options.catalog);
  const errors: unknown[] = [];
  const controllers = startControllers(store, clock, spec, { onError: (error) => errors.push(error) });
  return {
    store,
    clock,
    errors,
    stop() {
      controllers.stop();
      clock.stop();
    },
  };
}

/** Polls until read() returns something truthy (real time, so it also waits for SimClock timers). */
export async function waitFor<T>(
  read: () => T | undefined | null | false,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Lets queued reconciles and zero-delay timers run. */
export async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 5));
}

/** What a successful violet push leaves behind: ArtifactVersion redis-operator.v<version>, reason Success. */
export function uploadVersion(store: ClusterStore, version: string, channel = 'stable'): KubeObject {
  const created = store.create(ARTIFACT_VERSION, {
    apiVersion: 'app.alauda.io/v1alpha1',
    kind: 'ArtifactVersion',
    metadata: {
      name: `${REDIS_PACKAGE}.v${version}`,
      namespace: CATALOG_NAMESPACE,
      labels: { 'cpaas.io/artifact': REDIS_PACKAGE, 'cpaas.io/channel': channel },
    },
    spec: { present: true, tag: `v${version}` },
  });
  return store.updateStatus(ARTIFACT_VERSION, {
    ...created,
    status: { name: REDIS_PACKAGE, version: `v${version}`, phase: 'Present', reason: 'Success' },
  });
}

export function offeredCsvs(store: ClusterStore, channel = 'stable'): string[] {
  const manifest = store.get(PACKAGE_MANIFEST, CATALOG_NAMESPACE, REDIS_PACKAGE);
  const channels =
    (manifest?.status as { channels?: { name: string; entries: { name: string }[] }[] } | undefined)
      ?.channels ?? [];
  return channels.find((c) => c.name === channel)?.entries.map((e) => e.name) ?? [];
}

export function subscription(store: ClusterStore, name = REDIS_PACKAGE): KubeObject {
  return store.get(SUBSCRIPTION, OPERATOR_NAMESPACE, name) as KubeObject;
}

export interface SubscriptionStatus {
  installedCSV?: string;
  currentCSV?: string;
  state?: string;
  reason?: string;
  installPlanRef?: { name: string; namespace: string };
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
}

export function subStatus(store: ClusterStore, name = REDIS_PACKAGE): SubscriptionStatus {
  return (subscription(store, name).status ?? {}) as SubscriptionStatus;
}

export function plan(store: ClusterStore, name: string): KubeObject | undefined {
  return store.get(INSTALL_PLAN, OPERATOR_NAMESPACE, name);
}

export function phaseOf(obj: KubeObject | undefined): string | undefined {
  return (obj?.status as { phase?: string } | undefined)?.phase;
}

/** The plan the Subscription currently points at, once it is UpgradePending and its bundles are unpacked. */
export async function pendingPlan(store: ClusterStore, name = REDIS_PACKAGE): Promise<KubeObject> {
  return waitFor(() => {
    const status = subStatus(store, name);
    const found =
      status.state === 'UpgradePending' && status.installPlanRef && plan(store, status.installPlanRef.name);
    return found && unpacked(found) ? found : undefined;
  }, `an unpacked InstallPlan for ${name}`);
}

/** The InstallPlans of redis-system listing `csv`. */
export function plansFor(store: ClusterStore, csv: string): KubeObject[] {
  return store
    .list(INSTALL_PLAN, { namespace: OPERATOR_NAMESPACE })
    .filter((p) =>
      (p.spec as { clusterServiceVersionNames?: string[] }).clusterServiceVersionNames?.includes(csv),
    );
}

/** Approves the way the product does: spec.approved=true guarded by the plan's resourceVersion. */
export function approve(store: ClusterStore, installPlan: KubeObject): KubeObject {
  return store.update(INSTALL_PLAN, {
    ...installPlan,
    spec: { ...(installPlan.spec as object), approved: true },
  });
}
