/**
 * Where and how to reach one cluster's API server: what a kubeconfig context says, as the
 * transport (kube-connections.ts) needs it. Two readers make one: kube-config-file.ts reads a
 * kubeconfig file with @kubernetes/client-node (every auth method it knows, exec plugins
 * included) for the local runtime; kube-config-text.ts reads the kubeconfig text of a secret
 * without it, so the Lambda bundles carry none of client-node's generated APIs.
 */
import type { ConnectionOptions } from 'node:tls';
import type { ClusterRecord } from '#shared/ports.ts';

/** The TLS options of the connections to the server: its CA, a client certificate, skip-verify. */
export type KubeTls = Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'>;

export interface KubeEndpoint {
  /** The API server's URL, with its path prefix (ACP: https://<platform>/kubernetes/<cluster>). */
  server: string;
  tls: KubeTls;
  /** The headers that authenticate a request; asked for each request (an exec plugin's token expires). */
  headers(): Promise<Record<string, string>>;
}

/** Where a cluster's endpoint comes from: a kubeconfig file, a secret per platform. */
export type KubeEndpointSource = (cluster: ClusterRecord) => Promise<KubeEndpoint>;

/** The kubeconfig context a cluster record names. */
export function contextOf(cluster: ClusterRecord): string {
  return cluster.context ?? cluster.name;
}
