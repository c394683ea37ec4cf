/**
 * One simulated ACP platform on loopback for the Kubernetes adapter's tests: seeded clusters with
 * their controllers running, the violet upload endpoint, every cluster request recorded on the
 * server side, and faults scripted per request (so a test says exactly which attempt fails).
 */
import type { IncomingMessage } from 'node:http';
import { resolve } from 'node:path';
import { KubeClusterClient, type KubeClusterClientOptions } from '#adapters/kube/kube-cluster-client.ts';
import { DEFAULT_CLIENT_OPTIONS } from '#adapters/kube/kube-cluster-gateway.ts';
import type { KubeEndpoint } from '#adapters/kube/kube-endpoint.ts';
import type { RetryPolicy } from '#adapters/kube/kube-errors.ts';
import type { FaultConfig } from '#sim/api/faults.ts';
import { type PlatformServer, type SimCluster, startPlatformServer } from '#sim/api/platform-server.ts';
import { TrafficCounter, type TrafficView } from '#sim/api/traffic.ts';
import { SimClock } from '#sim/clock.ts';
import type { ClusterSpec } from '#sim/cluster-spec.ts';
import { seedCluster, startControllers } from '#sim/seed-cluster.ts';
import { ClusterStore } from '#sim/store/cluster-store.ts';
import { simServingTls } from '#sim/tls/sim-certificates.ts';
import { uploadRoute } from '#sim/upload/upload-route.ts';
import { clusterSpec as simClusterSpec } from '#test/sim/controllers/controller-fixture.ts';

export const TOKEN = 'kube-adapter-test-token-7f3a';
export const VIOLET = resolve(import.meta.dirname, '../../../../sim/bin/violet');
export const PACKAGES = resolve(import.meta.dirname, '../../../../examples/packages');

/** Small waits so retries cost milliseconds; Retry-After is honoured up to 2 s. */
export const FAST_RETRY: RetryPolicy = {
  retries: 3,
  minTimeoutMs: 10,
  maxTimeoutMs: 40,
  requestTimeoutMs: 2_000,
  maxRetryAfterMs: 2_000,
};

/** The controllers' fixture cluster, on 3.16.1 with nodes sized for the capacity assertions. */
export function clusterSpec(overrides: Partial<ClusterSpec> = {}): ClusterSpec {
  return simClusterSpec({
    installedVersion: '3.16.1',
    nodes: { count: 3, cpuMillis: 3800, memoryBytes: 15 * 1024 ** 3 },
    ...overrides,
  });
}

export interface RecordedRequest {
  method: string;
  /** The apiserver path under /kubernetes/<cluster>. */
  path: string;
  query: URLSearchParams;
  /** performance.now() when the server received it. */
  at: number;
}

export interface KubeSim {
  url: string;
  /** The CA (PEM) of the platform's serving certificate. */
  ca: string;
  clusters: Map<string, SimCluster>;
  /** Seeds a cluster as `spec` describes and starts its controllers (a simulated hour passes in ~4 ms). */
  addCluster(name: string, spec?: ClusterSpec): SimCluster;
  /** A cluster with nothing in it. */
  addEmptyCluster(name: string): SimCluster;
  store(name: string): ClusterStore;
  /** The faults the next requests to `cluster` meet, one entry per request; then none. */
  scriptFaults(cluster: string, faults: FaultConfig[]): void;
  requestsTo(cluster: string): RecordedRequest[];
  /** How the adapter reaches `cluster` with `token`: the platform's CA, a bearer token. */
  endpoint(cluster: string, token?: string): KubeEndpoint;
  client(cluster: string, options?: Partial<KubeClusterClientOptions>): KubeClusterClient;
  /** Clusters whose image push fails (the scenario's failUpload). */
  failingUploads: Set<string>;
  /** Connections and requests the platform served (sim/api/traffic.ts). */
  traffic(): TrafficView;
  /** Errors the simulated controllers reported (a test expects none). */
  controllerErrors: unknown[];
  close(): Promise<void>;
}

export async function startKubeSim(): Promise<KubeSim> {
  const clusters = new Map<string, SimCluster>();
  const requests = new Map<string, RecordedRequest[]>();
  const scripts = new Map<string, FaultConfig[]>();
  const running: { stop(): void }[] = [];
  const controllerErrors: unknown[] = [];
  const clock = new SimClock(1_000_000);

  // Runs before the platform's own routes: records the request and arms its scripted fault.
  const recorder = (req: IncomingMessage, url: URL): boolean => {
    const match = /^\/kubernetes\/([^/]+)(\/.*)?$/.exec(url.pathname);
    const cluster = match?.[1] && clusters.get(match[1]);
    if (!match?.[1] || !cluster) return false;
    const seen = requests.get(match[1]) ?? [];
    seen.push({
      method: req.method ?? 'GET',
      path: match[2] ?? '/',
      query: url.searchParams,
      at: performance.now(),
    });
    requests.set(match[1], seen);
    cluster.faults = scripts.get(match[1])?.shift() ?? {};
    return false;
  };
  const tls = await simServingTls();
  const failingUploads = new Set<string>();
  const traffic = new TrafficCounter();
  const server: PlatformServer = await startPlatformServer({
    token: TOKEN,
    clusters,
    tls,
    traffic,
    extraRoutes: [
      (req, _res, url) => recorder(req, url),
      uploadRoute({
        token: TOKEN,
        clusters,
        failsUpload: (name) => failingUploads.has(name),
        onUpload: () => traffic.upload(),
      }),
    ],
  });

  const add = (name: string, store: ClusterStore): SimCluster => {
    const cluster: SimCluster = { name, labels: {}, store, faults: {} };
    clusters.set(name, cluster);
    return cluster;
  };

  const endpoint = (cluster: string, token = TOKEN): KubeEndpoint => ({
    server: `${server.url}/kubernetes/${cluster}`,
    tls: { ca: tls.caPem },
    headers: async () => ({ Authorization: `Bearer ${token}` }),
  });

  return {
    url: server.url,
    ca: tls.caPem,
    clusters,
    controllerErrors,
    addCluster(name, spec = clusterSpec()) {
      const store = new ClusterStore(name);
      seedCluster(store, spec);
      running.push(
        startControllers(store, clock, spec, { onError: (error) => controllerErrors.push(error) }),
      );
      return add(name, store);
    },
    addEmptyCluster: (name) => add(name, new ClusterStore(name)),
    store(name) {
      const cluster = clusters.get(name);
      if (!cluster) throw new Error(`no simulated cluster ${name}`);
      return cluster.store;
    },
    scriptFaults: (cluster, faults) => scripts.set(cluster, [...faults]),
    requestsTo: (cluster) => requests.get(cluster) ?? [],
    failingUploads,
    traffic: () => traffic.view(),
    endpoint,
    client: (cluster, options = {}) =>
      new KubeClusterClient(cluster, endpoint(cluster), {
        ...DEFAULT_CLIENT_OPTIONS,
        retry: FAST_RETRY,
        ...options,
      }),
    async close() {
      for (const controllers of running) controllers.stop();
      clock.stop();
      await server.close();
    },
  };
}

/** Polls `read` until `done` accepts its value; fails naming what it waited for. */
export async function eventually<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 3_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: last saw ${JSON.stringify(value)}`);
    await new Promise((wake) => setTimeout(wake, 10));
  }
}
