/**
 * A simulated ACP fleet in this process: one HTTP server per platform (clusters under
 * /kubernetes/<cluster>, discovery at /auth/v1/clusters, the violet upload endpoint and the
 * package downloads), every cluster seeded from the scenario with OLM and Redis operator
 * controllers running on one shared clock, and a kubeconfig with one context per cluster.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import type { FaultConfig } from '#sim/api/faults.ts';
import { type SimCluster, startPlatformServer } from '#sim/api/platform-server.ts';
import { SimClock } from '#sim/clock.ts';
import type { ClusterSpec } from '#sim/cluster-spec.ts';
import { startControllers } from '#sim/controllers/start-controllers.ts';
import { EXAMPLE_CATALOG_PATH, EXAMPLE_PACKAGES_DIR } from '#sim/packages/example-packages.ts';
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
import { loadScenario, parseScenario, resolveScenario, type Scenario } from '#sim/scenario.ts';
import { seedCluster } from '#sim/seed-cluster.ts';
import { ClusterStore } from '#sim/store/cluster-store.ts';
import { downloadsRoute } from '#sim/upload/downloads-route.ts';
import { uploadRoute } from '#sim/upload/upload-route.ts';

export const DEFAULT_SPEED = 60;

export interface FleetOptions {
  /** Cluster count; overrides the scenario's. */
  clusters?: number;
  /** A parsed scenario or the path of a scenario file. */
  scenario?: Scenario | string;
  seed?: number;
  /** Simulated ms per real ms (60: a simulated minute per second). Overrides the scenario's. */
  speed?: number;
  host?: string;
  /** Port of the first platform; the next platforms take the following ports. 0: random ports. */
  port?: number;
  /** Catalog whose versions seed the clusters (default examples/catalog.json). */
  catalogPath?: string;
  packagesDir?: string;
}

export interface FleetPlatform {
  name: string;
  url: string;
  token: string;
  clusters: string[];
}

export interface Kubeconfig {
  apiVersion: 'v1';
  kind: 'Config';
  clusters: { name: string; cluster: { server: string; 'insecure-skip-tls-verify': true } }[];
  users: { name: string; user: { token: string } }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
  'current-context': string;
}

export interface FleetCluster {
  name: string;
  platform: string;
  spec: ClusterSpec;
  sim: SimCluster;
}

export interface Fleet {
  platforms: FleetPlatform[];
  kubeconfig: Kubeconfig;
  writeKubeconfig(path: string): Promise<void>;
  /** Artifact mirror base URL: `<downloadBaseUrl>/<file name of the catalog artifact url>`. */
  downloadBaseUrl: string;
  seed: number;
  speed: number;
  warnings: string[];
  clusterNames(): string[];
  cluster(name: string): FleetCluster;
  /** A summary of the cluster's OLM, catalog and upload objects, read straight from its store. */
  clusterState(name: string): ClusterState;
  /** Switches a cluster's fault injection at run time (takes effect on the next request). */
  setFaults(name: string, faults: FaultConfig): void;
  stop(): Promise<void>;
}

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

function readClusterState(store: ClusterStore): ClusterState {
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

interface SeedCatalog {
  versions: { version: string; csv: string; channel: string }[];
}

async function resolveInput(scenario: FleetOptions['scenario']): Promise<Scenario> {
  if (typeof scenario === 'string') return loadScenario(scenario);
  return scenario ?? parseScenario({});
}

function kubeconfigFor(platforms: FleetPlatform[]): Kubeconfig {
  const clusters = platforms.flatMap((p) => p.clusters.map((name) => ({ name, platform: p })));
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: clusters.map(({ name, platform }) => ({
      name,
      // client-node v2 refuses plain http unless TLS verification is off; the simulator has no TLS.
      cluster: { server: `${platform.url}/kubernetes/${name}`, 'insecure-skip-tls-verify': true },
    })),
    users: platforms.map((p) => ({ name: p.name, user: { token: p.token } })),
    contexts: clusters.map(({ name, platform }) => ({
      name,
      context: { cluster: name, user: platform.name },
    })),
    'current-context': clusters[0]?.name ?? '',
  };
}

export async function startFleet(options: FleetOptions = {}): Promise<Fleet> {
  const scenario = await resolveInput(options.scenario);
  const resolved = resolveScenario(scenario, {
    ...(options.clusters === undefined ? {} : { clusters: options.clusters }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  });
  const speed = options.speed ?? resolved.speed ?? DEFAULT_SPEED;
  const catalog = JSON.parse(
    await readFile(options.catalogPath ?? EXAMPLE_CATALOG_PATH, 'utf8'),
  ) as SeedCatalog;
  const clock = new SimClock(speed);
  const all = new Map<string, FleetCluster>();
  const controllers: { stop(): void }[] = [];
  const servers: { close(): Promise<void> }[] = [];
  const platforms: FleetPlatform[] = [];
  const stopAll = async () => {
    for (const c of controllers) c.stop();
    clock.stop();
    await Promise.all(servers.map((s) => s.close()));
  };

  try {
    for (const [index, platform] of resolved.platforms.entries()) {
      const live = new Map<string, SimCluster>();
      const failing = new Set<string>();
      for (const c of platform.clusters) {
        const store = new ClusterStore(c.name);
        seedCluster(store, c.spec, catalog);
        controllers.push(startControllers(store, clock, c.spec));
        const sim: SimCluster = { name: c.name, labels: c.labels, store, faults: c.faults };
        live.set(c.name, sim);
        if (c.failUpload) failing.add(c.name);
        all.set(c.name, { name: c.name, platform: platform.name, spec: c.spec, sim });
      }
      const server = await startPlatformServer({
        token: platform.token,
        host: options.host ?? '127.0.0.1',
        port: options.port ? options.port + index : 0,
        seed: resolved.seed + index,
        clusters: live,
        extraRoutes: [
          downloadsRoute(options.packagesDir ?? EXAMPLE_PACKAGES_DIR),
          uploadRoute({
            token: platform.token,
            clusters: live,
            failsUpload: (name) => failing.has(name),
            now: () => clock.now(),
          }),
        ],
      });
      servers.push(server);
      platforms.push({
        name: platform.name,
        url: server.url,
        token: platform.token,
        clusters: [...live.keys()],
      });
    }
  } catch (error) {
    await stopAll();
    throw error;
  }

  const kubeconfig = kubeconfigFor(platforms);
  const cluster = (name: string): FleetCluster => {
    const found = all.get(name);
    if (!found) throw new Error(`the fleet has no cluster ${name}`);
    return found;
  };
  let stopped: Promise<void> | undefined;
  return {
    platforms,
    kubeconfig,
    async writeKubeconfig(path) {
      await mkdir(dirname(path), { recursive: true });
      // It holds the platform tokens.
      await writeFile(path, stringify(kubeconfig), { mode: 0o600 });
    },
    downloadBaseUrl: `${platforms[0]?.url}/downloads`,
    seed: resolved.seed,
    speed,
    warnings: resolved.warnings,
    clusterNames: () => [...all.keys()],
    cluster,
    clusterState: (name) => readClusterState(cluster(name).sim.store),
    setFaults(name, faults) {
      cluster(name).sim.faults = faults;
    },
    stop() {
      stopped ??= stopAll();
      return stopped;
    },
  };
}
