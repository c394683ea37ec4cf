/**
 * Kubernetes API clients on one keep-alive connection pool per API server and TLS identity.
 *
 * @kubernetes/client-node 2.x builds a new undici Agent for every request whenever the kubeconfig
 * names a CA, a client certificate or skip-verify (KubeConfig.applySecurityAuthentication), so
 * every request opened a TCP connection and a TLS handshake: 30-odd per cluster-hop, tens of
 * thousands of sockets across a fleet. Here each API client's configuration keeps client-node's
 * own authentication (token, exec plugin, client certificate, basic: whatever the kubeconfig
 * says) and only swaps the per-request Agent for a shared one, built once from the TLS options
 * client-node itself derives from the kubeconfig (applyToHTTPSOptions, createDispatcherOptions).
 *
 * The pool is keyed by server origin and TLS material, so the clusters of one ACP platform, all
 * served at <platform>/kubernetes/<cluster> with the platform's CA, share one pool. A proxied
 * cluster keeps client-node's own dispatcher (it pools per proxy), as does plain HTTP without TLS
 * options (undici's global dispatcher pools already).
 */
import { createHash } from 'node:crypto';
import {
  type Configuration,
  createConfiguration,
  type KubeConfig,
  type RequestContext,
  type SecurityAuthentication,
  ServerConfiguration,
} from '@kubernetes/client-node';
import { Agent, type Dispatcher } from 'undici';
import { ConfigError } from '#domain/errors.ts';

export interface KubeConnectionOptions {
  /** Connections per API server; requests beyond it wait for a free one instead of opening more. */
  maxConnections: number;
  /** A request without response headers (or body progress) for this long ends and frees its connection. */
  requestTimeoutMs: number;
}

export const DEFAULT_CONNECTION_OPTIONS: KubeConnectionOptions = {
  maxConnections: 32,
  requestTimeoutMs: 15_000,
};

const USER_AGENT = 'redis-upgrader';

export class KubeConnections {
  readonly #pools = new Map<string, Agent>();
  readonly #options: KubeConnectionOptions;

  constructor(options: Partial<KubeConnectionOptions> = {}) {
    this.#options = { ...DEFAULT_CONNECTION_OPTIONS, ...options };
  }

  /** The API client configuration for the kubeconfig's current context, on its server's shared pool. */
  configuration(kubeConfig: KubeConfig): Configuration {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster)
      throw new ConfigError(`kubeconfig context ${kubeConfig.getCurrentContext()} names no cluster`);
    let pool: Promise<Dispatcher | undefined> | undefined;
    const auth: SecurityAuthentication = {
      getName: () => 'kubeconfig on a shared connection pool',
      applySecurityAuthentication: async (context: RequestContext) => {
        // client-node's authentication sets the headers (and builds an Agent we drop unused: it
        // opens nothing until a request goes through it).
        await kubeConfig.applySecurityAuthentication(context);
        pool ??= this.#pool(kubeConfig);
        const dispatcher = await pool;
        if (dispatcher) context.setDispatcher(dispatcher);
      },
    };
    return createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: auth },
      promiseMiddleware: [
        {
          pre: async (context) => {
            context.setHeaderParam('User-Agent', USER_AGENT);
            return context;
          },
          post: async (response) => response,
        },
      ],
    });
  }

  /** How many pools there are (one per API server and TLS identity). */
  get size(): number {
    return this.#pools.size;
  }

  /** Closes every pool's connections (a stopping runtime; a test's end). */
  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((pool) => pool.close()));
  }

  async #pool(kubeConfig: KubeConfig): Promise<Dispatcher | undefined> {
    const cluster = kubeConfig.getCurrentCluster();
    const tls: Parameters<KubeConfig['applyToHTTPSOptions']>[0] = {};
    await kubeConfig.applyToHTTPSOptions(tls);
    const dispatch = kubeConfig.createDispatcherOptions(cluster, tls);
    if (dispatch.type !== 'agent' || !cluster) return undefined;
    // The CA and client certificate are in the key (hashed): a cluster with other TLS material gets its own pool.
    const key = createHash('sha256')
      .update(JSON.stringify([new URL(cluster.server).origin, dispatch.connect]))
      .digest('hex');
    let pool = this.#pools.get(key);
    if (!pool) {
      pool = new Agent({
        connect: dispatch.connect,
        connections: this.#options.maxConnections,
        headersTimeout: this.#options.requestTimeoutMs,
        bodyTimeout: this.#options.requestTimeoutMs,
      });
      this.#pools.set(key, pool);
    }
    return pool;
  }
}
