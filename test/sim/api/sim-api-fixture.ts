import { KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { fetchTrusting } from '#adapters/local/fetch-trusting.ts';
import type { FaultConfig } from '#sim/api/faults.ts';
import {
  type ExtraRoute,
  type PlatformServer,
  type SimCluster,
  startPlatformServer,
} from '#sim/api/platform-server.ts';
import { ClusterStore, type ClusterStoreOptions } from '#sim/store/cluster-store.ts';
import { simServingTls } from '#sim/tls/sim-certificates.ts';

export const TOKEN = 'sim-test-token';

/** The redis-operator Subscriptions' coordinates for CustomObjectsApi calls. */
export const SUBSCRIPTIONS = {
  group: 'operators.coreos.com',
  version: 'v1alpha1',
  plural: 'subscriptions',
  namespace: 'redis-system',
};
export const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** A kubeconfig's certificate-authority-data: the PEM, base64. */
export function caData(pem: string): string {
  return Buffer.from(pem).toString('base64');
}

export interface SimApi {
  server: PlatformServer;
  clusters: Map<string, SimCluster>;
  store(name: string): ClusterStore;
  /** The CA (PEM) that signed the platform's serving certificate. */
  ca: string;
  /** fetch trusting that CA. */
  fetch: typeof fetch;
  /** A kubeconfig whose server is the cluster URL under the platform, trusting the run's CA. */
  kubeConfig(cluster: string, token?: string): KubeConfig;
  close(): Promise<void>;
}

export interface SimApiClusterSpec {
  name: string;
  labels?: Record<string, string>;
  faults?: FaultConfig;
  store?: ClusterStoreOptions;
}

export async function startSimApi(
  specs: SimApiClusterSpec[],
  options: { seed?: number; extraRoutes?: ExtraRoute[] } = {},
): Promise<SimApi> {
  const clusters = new Map<string, SimCluster>();
  for (const spec of specs) {
    clusters.set(spec.name, {
      name: spec.name,
      labels: spec.labels ?? {},
      store: new ClusterStore(spec.name, spec.store),
      faults: spec.faults ?? {},
    });
  }
  const tls = await simServingTls();
  const server = await startPlatformServer({
    token: TOKEN,
    clusters,
    tls,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.extraRoutes ? { extraRoutes: options.extraRoutes } : {}),
  });
  return {
    server,
    clusters,
    ca: tls.caPem,
    fetch: fetchTrusting(tls.caPem),
    store: (name) => {
      const cluster = clusters.get(name);
      if (!cluster) throw new Error(`no cluster ${name}`);
      return cluster.store;
    },
    kubeConfig: (cluster, token = TOKEN) => {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [
          {
            name: cluster,
            server: `${server.url}/kubernetes/${cluster}`,
            caData: caData(tls.caPem),
            skipTLSVerify: false,
          },
        ],
        users: [{ name: 'sim', token }],
        contexts: [{ name: cluster, cluster, user: 'sim' }],
        currentContext: cluster,
      });
      return kc;
    },
    close: () => server.close(),
  };
}

/** The Kubernetes Status an ApiException carries (client-node hands 4xx/5xx bodies over as text). */
export function statusOf(error: unknown): {
  code: number;
  reason?: string;
  message?: string;
  details?: unknown;
} {
  const e = error as { code?: number; body?: unknown };
  if (typeof e.code !== 'number') throw error;
  const body =
    typeof e.body === 'string'
      ? (JSON.parse(e.body) as Record<string, unknown>)
      : (e.body as Record<string, unknown>);
  return { ...(body ?? {}), code: e.code } as { code: number; reason?: string; message?: string };
}

/** Runs `fn` and returns the Status of the ApiException it must throw. */
export async function expectStatus(fn: () => Promise<unknown>): Promise<ReturnType<typeof statusOf>> {
  try {
    await fn();
  } catch (error) {
    return statusOf(error);
  }
  throw new Error('expected the call to fail');
}

export function subscription(
  name: string,
  spec: Record<string, unknown> = {},
  labels?: Record<string, string>,
) {
  return {
    apiVersion: 'operators.coreos.com/v1alpha1',
    kind: 'Subscription',
    metadata: { name, namespace: 'redis-system', ...(labels ? { labels } : {}) },
    spec: {
      channel: 'stable',
      name: 'redis-operator',
      source: 'platform',
      sourceNamespace: 'cpaas-system',
      installPlanApproval: 'Manual',
      ...spec,
    },
  };
}
