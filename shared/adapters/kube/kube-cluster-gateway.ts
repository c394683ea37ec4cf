/**
 * One ClusterClient per cluster, built from a kubeconfig context and reused (clients are cheap
 * to keep and costly to rebuild per message). Where the kubeconfig comes from is the caller's
 * business: a local file, or a secret fetched per warm Lambda.
 */
import { readFileSync } from 'node:fs';
import { type Cluster, KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '#domain/errors.ts';
import type { ClusterClient, ClusterGateway, ClusterRecord } from '#shared/ports.ts';
import { KubeClusterClient, type KubeClusterClientOptions } from './kube-cluster-client.ts';
import { KubeConnections } from './kube-connections.ts';
import { DEFAULT_RETRY_POLICY } from './kube-errors.ts';

export type KubeConfigSource = (cluster: ClusterRecord) => Promise<KubeConfig>;

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

export function kubeConfigFromFile(path: string): KubeConfigSource {
  let loaded: KubeConfig | undefined;
  return async () => {
    if (!loaded) {
      const config = new KubeConfig();
      try {
        config.loadFromFile(path);
        loaded = config;
      } catch (error) {
        // A YAML parser's message quotes the lines around the fault, tokens included: keep only
        // the file system's error code, and no cause.
        const code = (error as NodeJS.ErrnoException).code;
        throw new ConfigError(`cannot read kubeconfig ${path}: ${code ?? 'not valid kubeconfig YAML'}`);
      }
    }
    return loaded;
  };
}

/** The context a cluster record names, made current on a private copy of the kubeconfig. */
export function selectContext(source: KubeConfig, cluster: ClusterRecord): KubeConfig {
  const contextName = cluster.context ?? cluster.name;
  if (!source.getContextObject(contextName)) {
    throw new ConfigError(`kubeconfig has no context "${contextName}" for cluster ${cluster.name}`);
  }
  const copy = new KubeConfig();
  copy.loadFromOptions({
    clusters: source.getClusters(),
    users: source.getUsers(),
    contexts: source.getContexts(),
    currentContext: contextName,
  });
  return copy;
}

function certificateAuthority(kubeCluster: Cluster | null): string | undefined {
  if (kubeCluster?.caData) return Buffer.from(kubeCluster.caData, 'base64').toString('utf8');
  if (!kubeCluster?.caFile) return undefined;
  try {
    return readFileSync(kubeCluster.caFile, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `cannot read certificate-authority ${kubeCluster.caFile}: ${(error as NodeJS.ErrnoException).code}`,
    );
  }
}

/**
 * ACP serves each cluster at <platform>/kubernetes/<cluster>; the platform token reaches both, and
 * the platform's certificate is the one the kubeconfig trusts.
 */
export function platformTarget(kubeConfig: KubeConfig, cluster: ClusterRecord): PlatformTarget {
  const kubeCluster = kubeConfig.getCurrentCluster();
  const server = kubeCluster?.server ?? '';
  const match = /^(.*)\/kubernetes\/([^/]+)\/?$/.exec(server);
  const token = kubeConfig.getCurrentUser()?.token;
  if (!match?.[1] || !match[2] || !token) {
    throw new ConfigError(
      `cluster ${cluster.name}: kubeconfig server must look like https://<platform>/kubernetes/<cluster> with a bearer token`,
    );
  }
  const ca = certificateAuthority(kubeCluster);
  return { address: match[1], cluster: match[2], token, ...(ca ? { certificateAuthority: ca } : {}) };
}

export class KubeClusterGateway implements ClusterGateway {
  readonly #clients = new Map<string, Promise<ClusterClient>>();
  readonly #source: KubeConfigSource;
  readonly #options: KubeClusterClientOptions;
  /** One keep-alive pool per API server: the clusters of a platform share their platform's. */
  readonly #connections: KubeConnections;

  constructor(source: KubeConfigSource, options: Partial<KubeClusterClientOptions> = {}) {
    this.#source = source;
    this.#options = { ...DEFAULT_CLIENT_OPTIONS, ...options };
    this.#connections = new KubeConnections({ requestTimeoutMs: this.#options.retry.requestTimeoutMs });
  }

  forCluster(cluster: ClusterRecord): Promise<ClusterClient> {
    let client = this.#clients.get(cluster.name);
    if (!client) {
      client = this.#source(cluster).then(
        (config) =>
          new KubeClusterClient(
            cluster.name,
            selectContext(config, cluster),
            this.#options,
            this.#connections,
          ),
      );
      // A failed build (bad kubeconfig, secret not readable yet) must not be cached forever.
      client.catch(() => this.#clients.delete(cluster.name));
      this.#clients.set(cluster.name, client);
    }
    return client;
  }

  async platformTarget(cluster: ClusterRecord): Promise<PlatformTarget> {
    return platformTarget(selectContext(await this.#source(cluster), cluster), cluster);
  }

  /** Closes the kept-alive connections; the gateway and its clients are done after it. */
  close(): Promise<void> {
    return this.#connections.close();
  }
}
