/**
 * A simulated ACP fleet in this process: one HTTP server per platform (clusters under
 * /kubernetes/<cluster>, discovery at /auth/v1/clusters, the violet upload endpoint and the
 * package downloads), every cluster seeded from the scenario with OLM and Redis operator
 * controllers running on one shared clock, and a kubeconfig with one context per cluster.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import type { FaultConfig } from '#sim/api/faults.ts';
import { type PlatformServer, type SimCluster, startPlatformServer } from '#sim/api/platform-server.ts';
import { sumTraffic, TrafficCounter, type TrafficView } from '#sim/api/traffic.ts';
import { SimClock } from '#sim/clock.ts';
import type { ClusterSpec } from '#sim/cluster-spec.ts';
import { type ClusterState, readClusterState } from '#sim/cluster-state.ts';
import { BundleRegistry } from '#sim/controllers/bundle-registry.ts';
import { startControllers } from '#sim/controllers/start-controllers.ts';
import { type Kubeconfig, kubeconfigFor } from '#sim/kubeconfig.ts';
import { type ClusterLedger, type LedgerView, SideEffectLedger } from '#sim/ledger.ts';
import { type Outage, type OutageMode, PlatformOutages, type StartedOutage } from '#sim/outages.ts';
import {
  type CatalogFile,
  catalogBundles,
  EXAMPLE_CATALOG_PATH,
  EXAMPLE_PACKAGES_DIR,
} from '#sim/packages/example-packages.ts';
import {
  loadScenario,
  parseScenario,
  type ResolvedScenario,
  resolveScenario,
  type Scenario,
} from '#sim/scenario.ts';
import { seedCluster } from '#sim/seed-cluster.ts';
import { FleetState } from '#sim/state/fleet-state.ts';
import { ClusterStore } from '#sim/store/cluster-store.ts';
import type { SimServingTls } from '#sim/tls/sim-certificates.ts';
import { downloadsRoute } from '#sim/upload/downloads-route.ts';
import { uploadRoute } from '#sim/upload/upload-route.ts';

export type { TrafficView } from '#sim/api/traffic.ts';
export type { ClusterState } from '#sim/cluster-state.ts';
export type { Kubeconfig } from '#sim/kubeconfig.ts';

export const DEFAULT_SPEED = 60;
/** The run's CA certificate (PEM), written next to the kubeconfig. */
export const CA_FILE_NAME = 'sim-ca.crt';

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
  /** Serve plain HTTP instead of HTTPS with a CA generated for the run. */
  insecureHttp?: boolean;
  /**
   * Keep the fleet's objects, side-effect ledger, CA and ports here (sim/state/fleet-state.ts): a
   * fleet started again on the same dir restores the clusters it finds instead of seeding them.
   */
  stateDir?: string;
}

export interface FleetPlatform {
  name: string;
  url: string;
  token: string;
  clusters: string[];
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
  /** The CA (PEM) that signed the platforms' serving certificate; undefined on plain HTTP. */
  certificateAuthority: string | undefined;
  /**
   * Writes the kubeconfig, and with TLS the CA certificate next to it (CA_FILE_NAME), for the
   * clients that take a CA file (curl --cacert, the artifact mirror CA, violet's SSL_CERT_FILE).
   */
  writeKubeconfig(path: string): Promise<{ caFile?: string }>;
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
  /**
   * Makes a whole platform unreachable for `seconds` of real time (not scaled by the speed), then
   * serves it again on the same port with its state intact. `503` (default): every request is
   * answered 503; `refuse`: connections are refused and open ones (watches, keep-alive) dropped;
   * `mixed`: refused for the first half, 503 for the second. Resolves once the platform is down.
   */
  outage(platform: string, options: { seconds: number; mode?: OutageMode }): Promise<StartedOutage>;
  /** The outages in progress. */
  outages(): Outage[];
  /** Every cluster's side effects: uploads, InstallPlan approvals, installed CSV (sim/ledger.ts). */
  ledger(): LedgerView;
  clusterLedger(name: string): ClusterLedger;
  /** Connections, Kubernetes requests and uploads the platforms served (sim/api/traffic.ts). */
  traffic(): TrafficView;
  stop(): Promise<void>;
}

/** The run's TLS: a CA kept in the state dir when there is one, else a fresh one. */
async function servingTls(host: string, state: FleetState | undefined): Promise<SimServingTls> {
  // Imported on use: the certificate library takes ~0.4 s to load, which every CLI command would pay.
  const certificates = await import('#sim/tls/sim-certificates.ts');
  let ca = state?.certificateAuthority();
  if (!ca) {
    ca = await certificates.createCertificateAuthority();
    state?.saveCertificateAuthority(ca);
  }
  return certificates.issueServingCertificate(ca, certificates.servingNames(host));
}

/** A cluster's store: restored from the state dir when a previous run left it there, else seeded. */
function clusterStore(
  c: { name: string; spec: ClusterSpec },
  platform: string,
  fleet: {
    catalog: CatalogFile;
    registry: BundleRegistry;
    ledger: SideEffectLedger;
    state: FleetState | undefined;
  },
): ClusterStore {
  const { state } = fleet;
  const store = new ClusterStore(c.name, state ? { persistence: state.persistence(c.name) } : {});
  const restored = state?.restored(c.name);
  if (restored) store.restore(restored.entries, restored.rv);
  fleet.ledger.track(c.name, platform, store, state?.ledger(c.name));
  if (!restored) seedCluster(store, c.spec, fleet.catalog, fleet.registry);
  return store;
}

async function resolveInput(scenario: FleetOptions['scenario']): Promise<Scenario> {
  if (typeof scenario === 'string') return loadScenario(scenario);
  return scenario ?? parseScenario({});
}

interface PlatformContext {
  host: string;
  tls: SimServingTls | undefined;
  clock: SimClock;
  catalog: CatalogFile;
  registry: BundleRegistry;
  ledger: SideEffectLedger;
  state: FleetState | undefined;
  packagesDir: string;
  seed: number;
  /** A restarted fleet takes its ports again, so the kubeconfigs it wrote still reach it. */
  port: number;
  register(name: string, cluster: FleetCluster): void;
  addControllers(running: { stop(): void }): void;
}

/** One platform: its clusters' stores and controllers, and its server with the upload and download routes. */
async function startPlatform(
  platform: ResolvedScenario['platforms'][number],
  ctx: PlatformContext,
): Promise<{ server: PlatformServer; clusters: string[] }> {
  const live = new Map<string, SimCluster>();
  const failing = new Set<string>();
  for (const c of platform.clusters) {
    const store = clusterStore(c, platform.name, ctx);
    ctx.addControllers(startControllers(store, ctx.clock, c.spec, { registry: ctx.registry }));
    const sim: SimCluster = { name: c.name, labels: c.labels, store, faults: c.faults };
    live.set(c.name, sim);
    if (c.failUpload) failing.add(c.name);
    ctx.register(c.name, { name: c.name, platform: platform.name, spec: c.spec, sim });
  }
  const traffic = new TrafficCounter();
  const server = await startPlatformServer({
    traffic,
    token: platform.token,
    host: ctx.host,
    ...(ctx.tls ? { tls: ctx.tls } : {}),
    port: ctx.port,
    seed: ctx.seed,
    clusters: live,
    extraRoutes: [
      downloadsRoute(ctx.packagesDir),
      uploadRoute({
        token: platform.token,
        clusters: live,
        failsUpload: (name) => failing.has(name),
        onUpload: () => traffic.upload(),
        now: () => ctx.clock.now(),
        onPublished: (name, artifactVersion) => ctx.ledger.recordUpload(name, artifactVersion),
        onBundle: (bundle) => {
          ctx.registry.add(bundle);
          ctx.state?.saveUploadedBundle(bundle);
        },
      }),
    ],
  });
  return { server, clusters: [...live.keys()] };
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
  ) as CatalogFile;
  const host = options.host ?? '127.0.0.1';
  const state = options.stateDir === undefined ? undefined : FleetState.open(options.stateDir);
  // The bundles the platforms' registries hold: the catalog's packages', and whatever is uploaded.
  const registry = BundleRegistry.platform([
    ...catalogBundles(catalog).values(),
    ...(state?.uploadedBundles() ?? []),
  ]);
  const tls = options.insecureHttp ? undefined : await servingTls(host, state);
  const clock = new SimClock(speed);
  const all = new Map<string, FleetCluster>();
  const controllers: { stop(): void }[] = [];
  const servers = new Map<string, PlatformServer>();
  const platforms: FleetPlatform[] = [];
  const ledger = new SideEffectLedger(state && ((cluster, saved) => state.saveLedger(cluster, saved)));
  const outages = new PlatformOutages(servers, (message) => console.error(`sim: ${message}`));
  const stopAll = async () => {
    outages.stop();
    for (const c of controllers) c.stop();
    clock.stop();
    await Promise.all([...servers.values()].map((s) => s.close()));
    state?.close();
  };

  const context = {
    host,
    tls,
    clock,
    catalog,
    registry,
    ledger,
    state,
    packagesDir: options.packagesDir ?? EXAMPLE_PACKAGES_DIR,
  };
  try {
    for (const [index, platform] of resolved.platforms.entries()) {
      const port = options.port ? options.port + index : state?.platformPort(platform.name);
      const live = await startPlatform(platform, {
        ...context,
        seed: resolved.seed + index,
        port: port ?? 0,
        register: (name, fleetCluster) => all.set(name, fleetCluster),
        addControllers: (running) => controllers.push(running),
      });
      servers.set(platform.name, live.server);
      state?.savePlatformPort(platform.name, live.server.port);
      platforms.push({
        name: platform.name,
        url: live.server.url,
        token: platform.token,
        clusters: live.clusters,
      });
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  for (const o of resolved.outages) {
    outages.schedule(o.after, { platform: o.platform, seconds: o.duration / 1000, mode: o.mode });
  }

  const kubeconfig = kubeconfigFor(platforms, tls?.caPem);
  const cluster = (name: string): FleetCluster => {
    const found = all.get(name);
    if (!found) throw new Error(`the fleet has no cluster ${name}`);
    return found;
  };
  let stopped: Promise<void> | undefined;
  return {
    platforms,
    kubeconfig,
    certificateAuthority: tls?.caPem,
    async writeKubeconfig(path) {
      await mkdir(dirname(path), { recursive: true });
      // It holds the platform tokens.
      await writeFile(path, stringify(kubeconfig), { mode: 0o600 });
      if (!tls) return {};
      const caFile = join(dirname(path), CA_FILE_NAME);
      await writeFile(caFile, tls.caPem);
      return { caFile };
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
    outage: (platform, options) => outages.start({ platform, ...options }),
    outages: () => outages.list(),
    ledger: () => ledger.view(),
    clusterLedger: (name) => ledger.cluster(cluster(name).name),
    traffic: () => sumTraffic([...servers.values()].map((server) => server.traffic.view())),
    stop() {
      stopped ??= stopAll();
      return stopped;
    },
  };
}
