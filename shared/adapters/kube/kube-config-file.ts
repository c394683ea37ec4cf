/**
 * Endpoints from a kubeconfig file, read by @kubernetes/client-node's KubeConfig, which knows
 * every way a kubeconfig authenticates (tokens, client certificates, exec plugins, auth
 * providers): the local runtime's source. It stays out of the Lambda bundles (kube-config-text.ts).
 */
import type { RequestOptions } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '#domain/errors.ts';
import type { ClusterRecord } from '#shared/ports.ts';
import { contextOf, type KubeEndpoint, type KubeEndpointSource } from './kube-endpoint.ts';

export function kubeConfigFromFile(path: string): KubeEndpointSource {
  let loaded: KubeConfig | undefined;
  const load = async (cluster: ClusterRecord) => {
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
    return kubeEndpoint(selectContext(loaded, cluster), cluster);
  };
  // One endpoint per context (the file is read once): the gateway keeps a cluster's client while
  // it gets the same one, and a fleet's kubeconfig of a thousand contexts is searched once each.
  const endpoints = new Map<string, Promise<KubeEndpoint>>();
  return (cluster) => {
    const context = contextOf(cluster);
    let endpoint = endpoints.get(context);
    if (!endpoint) {
      endpoint = load(cluster);
      endpoint.catch(() => endpoints.delete(context));
      endpoints.set(context, endpoint);
    }
    return endpoint;
  };
}

/**
 * The context a cluster record names, made current on a private copy of the kubeconfig holding
 * that context, its cluster and its user only: client-node looks them up by name on every
 * request, a linear search that a fleet's kubeconfig of a thousand contexts made cost a
 * thousand comparisons a request.
 */
export function selectContext(source: KubeConfig, cluster: ClusterRecord): KubeConfig {
  const contextName = contextOf(cluster);
  const context = source.getContextObject(contextName);
  if (!context) {
    throw new ConfigError(`kubeconfig has no context "${contextName}" for cluster ${cluster.name}`);
  }
  const server = source.getCluster(context.cluster);
  const user = source.getUser(context.user);
  const copy = new KubeConfig();
  copy.loadFromOptions({
    clusters: server ? [server] : [],
    users: user ? [user] : [],
    contexts: [context],
    currentContext: contextName,
  });
  return copy;
}

/** The current context's endpoint; its headers are client-node's own authentication, per request. */
export async function kubeEndpoint(kubeConfig: KubeConfig, cluster: ClusterRecord): Promise<KubeEndpoint> {
  const server = kubeConfig.getCurrentCluster();
  if (!server) {
    throw new ConfigError(
      `cluster ${cluster.name}: kubeconfig context ${kubeConfig.getCurrentContext()} names no cluster`,
    );
  }
  if (server.proxyUrl) {
    throw new ConfigError(`cluster ${cluster.name}: kubeconfig proxy-url is not supported`);
  }
  const applied = async () => {
    const options: RequestOptions = {};
    try {
      await kubeConfig.applyToHTTPSOptions(options);
    } catch (error) {
      // A file the kubeconfig names is unreadable: say which kind, never its contents.
      const code = (error as NodeJS.ErrnoException).code;
      throw new ConfigError(
        `cluster ${cluster.name}: kubeconfig credentials: ${code ?? (error as Error).message}`,
      );
    }
    return options;
  };
  const { ca, cert, key, rejectUnauthorized, servername } = await applied();
  return {
    server: server.server,
    tls: { ca, cert, key, rejectUnauthorized, servername },
    async headers() {
      const { headers, auth } = await applied();
      return {
        ...(headers as Record<string, string> | undefined),
        ...(auth ? { Authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {}),
      };
    },
  };
}
