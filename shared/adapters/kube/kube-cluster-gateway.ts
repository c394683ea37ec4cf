/**
 * One ClusterClient per cluster, built from the cluster's endpoint and reused while the endpoint
 * stays the same. Where the endpoint comes from is the caller's business: a local kubeconfig file
 * (kube-config-file.ts), or a secret fetched per warm Lambda (kube-config-text.ts). The source is
 * asked again each time a client is handed out (the secrets source caches for a short TTL), so a
 * rotated platform token or a record pointed at another context is used from then on; the
 * connections stay pooled per API server either way (kube-connections.ts).
 */
import { ConfigError } from '#domain/errors.ts';
import type { ClusterClient, ClusterGateway, ClusterRecord } from '#shared/ports.ts';
import { KubeClusterClient, type KubeClusterClientOptions } from './kube-cluster-client.ts';
import { KubeConnections } from './kube-connections.ts';
import type { KubeEndpoint, KubeEndpointSource } from './kube-endpoint.ts';
import { DEFAULT_RETRY_POLICY } from './kube-errors.ts';

/** Where `violet push` must go for a cluster: the ACP platform in front of its Kubernetes API. */
export interface PlatformTarget {
  address: string;
  token: string;
  cluster: string;
  /** The CA (PEM) the kubeconfig trusts for this server, when it names one: the platform's too. */
  certificateAuthority?: string;
}

export const DEFAULT_CLIENT_OPTIONS: KubeClusterClientOptions = {
  subscriptionNamespace: 'redis-system',
  subscriptionName: 'redis-operator',
  catalogNamespace: 'cpaas-system',
  pageSize: 500,
  retry: DEFAULT_RETRY_POLICY,
};

/**
 * ACP serves each cluster at <platform>/kubernetes/<cluster>; the platform token reaches both, and
 * the platform's certificate is the one the kubeconfig trusts.
 */
export async function platformTarget(
  endpoint: KubeEndpoint,
  cluster: ClusterRecord,
): Promise<PlatformTarget> {
  const match = /^(.*)\/kubernetes\/([^/]+)\/?$/.exec(endpoint.server);
  const token = /^Bearer (.+)$/.exec((await endpoint.headers()).Authorization ?? '')?.[1];
  if (!match?.[1] || !match[2] || !token) {
    throw new ConfigError(
      `cluster ${cluster.name}: kubeconfig server must look like https://<platform>/kubernetes/<cluster> with a bearer token`,
    );
  }
  const ca = endpoint.tls.ca;
  const pem = Array.isArray(ca) ? ca.map(String).join('\n') : ca && String(ca);
  return { address: match[1], cluster: match[2], token, ...(pem ? { certificateAuthority: pem } : {}) };
}

interface CachedClient {
  endpoint: KubeEndpoint;
  client: ClusterClient;
}

export class KubeClusterGateway implements ClusterGateway {
  readonly #clients = new Map<string, CachedClient>();
  readonly #source: KubeEndpointSource;
  readonly #options: KubeClusterClientOptions;
  /** One keep-alive pool per API server: the clusters of a platform share their platform's. */
  readonly #connections: KubeConnections;

  constructor(source: KubeEndpointSource, options: Partial<KubeClusterClientOptions> = {}) {
    this.#source = source;
    this.#options = { ...DEFAULT_CLIENT_OPTIONS, ...options };
    this.#connections = new KubeConnections({ requestTimeoutMs: this.#options.retry.requestTimeoutMs });
  }

  /**
   * The cluster's client: the one kept for it while its endpoint is what the source says now, a
   * new one otherwise (a rotated token, another context or server). A failed read of the source
   * (bad kubeconfig, secret not readable yet) is the caller's error and keeps nothing.
   */
  async forCluster(cluster: ClusterRecord): Promise<ClusterClient> {
    const endpoint = await this.#source(cluster);
    const kept = this.#clients.get(cluster.name);
    // The sources hand out one endpoint object per kubeconfig text and context (kube-config-*.ts),
    // so the same object means nothing changed; a new one gets a client on the same pool.
    if (kept?.endpoint === endpoint) return kept.client;
    const client = new KubeClusterClient(cluster.name, endpoint, this.#options, this.#connections);
    this.#clients.set(cluster.name, { endpoint, client });
    return client;
  }

  async platformTarget(cluster: ClusterRecord): Promise<PlatformTarget> {
    return platformTarget(await this.#source(cluster), cluster);
  }

  /** Closes the kept-alive connections; the gateway and its clients are done after it. */
  close(): Promise<void> {
    return this.#connections.close();
  }
}
