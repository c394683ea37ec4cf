/**
 * A KubeConfigSource over kubeconfig text fetched elsewhere (e.g. a secret). Parsing lives here
 * because only this folder may import @kubernetes/client-node.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '#domain/errors.ts';
import type { ClusterRecord } from '#shared/ports.ts';
import type { KubeConfigSource } from './kube-cluster-gateway.ts';

export function kubeConfigFromText(fetch: (cluster: ClusterRecord) => Promise<string>): KubeConfigSource {
  return async (cluster) => {
    const text = await fetch(cluster);
    const config = new KubeConfig();
    try {
      config.loadFromString(text);
    } catch {
      // The parser's message may quote the secret; say only where it came from.
      throw new ConfigError(`the kubeconfig of cluster ${cluster.name} is not valid kubeconfig YAML`);
    }
    return config;
  };
}
