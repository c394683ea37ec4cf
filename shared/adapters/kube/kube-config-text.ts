/**
 * Endpoints from kubeconfig text fetched elsewhere (a secret per platform, docs/decisions/0005),
 * for the Lambda functions. A function can only authenticate as a kubeconfig says in its text:
 * a bearer token, a client certificate, basic auth; an exec plugin has no binary to run there and
 * a file path no file, so those are refused by name. Read with js-yaml (the catalog's parser, so a
 * bundle carries one) and a schema rather than client-node's KubeConfig, 1.4 MB in every bundle.
 */
import { load as parseYaml } from 'js-yaml';
import * as z from 'zod';
import { ConfigError } from '#domain/errors.ts';
import type { ClusterRecord } from '#shared/ports.ts';
import { contextOf, type KubeEndpoint, type KubeEndpointSource, type KubeTls } from './kube-endpoint.ts';

const kubeconfigSchema = z.object({
  clusters: z.array(
    z.object({
      name: z.string(),
      cluster: z.object({
        server: z.string(),
        'certificate-authority-data': z.string().optional(),
        'insecure-skip-tls-verify': z.boolean().optional(),
        'tls-server-name': z.string().optional(),
        'certificate-authority': z.string().optional(),
        'proxy-url': z.string().optional(),
      }),
    }),
  ),
  users: z.array(
    z.object({
      name: z.string(),
      user: z
        .object({
          token: z.string().optional(),
          'client-certificate-data': z.string().optional(),
          'client-key-data': z.string().optional(),
          username: z.string().optional(),
          password: z.string().optional(),
          exec: z.unknown().optional(),
          'auth-provider': z.unknown().optional(),
          tokenFile: z.string().optional(),
          'client-certificate': z.string().optional(),
          'client-key': z.string().optional(),
        })
        .default({}),
    }),
  ),
  contexts: z.array(
    z.object({ name: z.string(), context: z.object({ cluster: z.string(), user: z.string().optional() }) }),
  ),
});
type Kubeconfig = z.output<typeof kubeconfigSchema>;

/** What a Lambda cannot do with a kubeconfig, by the key that asks for it. */
const UNSUPPORTED = ['exec', 'auth-provider', 'tokenFile', 'client-certificate', 'client-key'] as const;

/**
 * Texts parsed lately, by text: the gateway asks for an endpoint each time it hands out a client
 * (so a rotated token is used), and parsing a platform's kubeconfig of a thousand contexts takes
 * tens of milliseconds. A handful of platforms per function, each replaced on rotation: bounded
 * so the texts a rotation left behind go.
 */
const PARSED_TEXTS = 32;

export function kubeConfigFromText(fetch: (cluster: ClusterRecord) => Promise<string>): KubeEndpointSource {
  const parsed = new Map<string, { config: Kubeconfig; endpoints: Map<string, KubeEndpoint> }>();
  return async (cluster) => {
    const text = await fetch(cluster);
    let entry = parsed.get(text);
    if (!entry) {
      entry = { config: parse(text, cluster), endpoints: new Map() };
      if (parsed.size >= PARSED_TEXTS) parsed.delete(parsed.keys().next().value as string);
      parsed.set(text, entry);
    }
    // One endpoint per text and context: the gateway keeps a cluster's client while it gets the
    // same one, and finding a context among a platform's thousand is done once.
    const context = contextOf(cluster);
    let endpoint = entry.endpoints.get(context);
    if (!endpoint) {
      endpoint = endpointOf(entry.config, cluster);
      entry.endpoints.set(context, endpoint);
    }
    return endpoint;
  };
}

function parse(text: string, cluster: ClusterRecord): Kubeconfig {
  try {
    return kubeconfigSchema.parse(parseYaml(text));
  } catch {
    // The parser's message may quote the secret; say only where it came from.
    throw new ConfigError(`the kubeconfig of cluster ${cluster.name} is not valid kubeconfig YAML`);
  }
}

function endpointOf(config: Kubeconfig, cluster: ClusterRecord): KubeEndpoint {
  const where = `the kubeconfig of cluster ${cluster.name}`;
  const contextName = contextOf(cluster);
  const context = config.contexts.find((entry) => entry.name === contextName)?.context;
  if (!context) throw new ConfigError(`${where} has no context "${contextName}"`);
  const server = config.clusters.find((entry) => entry.name === context.cluster)?.cluster;
  if (!server) throw new ConfigError(`${where}: context "${contextName}" names no cluster`);
  const user = config.users.find((entry) => entry.name === context.user)?.user ?? {};
  const unsupported: string[] = UNSUPPORTED.filter((key) => user[key] !== undefined);
  if (server['certificate-authority']) unsupported.push('certificate-authority');
  if (server['proxy-url']) unsupported.push('proxy-url');
  if (unsupported.length > 0) {
    throw new ConfigError(
      `${where}: ${unsupported.join(', ')} cannot be used here; give a token or client certificate and the CA as data`,
    );
  }
  const fromBase64 = (data: string | undefined) =>
    data ? Buffer.from(data, 'base64').toString('utf8') : undefined;
  const tls: KubeTls = {};
  const ca = fromBase64(server['certificate-authority-data']);
  const cert = fromBase64(user['client-certificate-data']);
  const key = fromBase64(user['client-key-data']);
  if (ca) tls.ca = ca;
  if (cert) tls.cert = cert;
  if (key) tls.key = key;
  if (server['insecure-skip-tls-verify']) tls.rejectUnauthorized = false;
  if (server['tls-server-name']) tls.servername = server['tls-server-name'];
  const authorization = user.token
    ? `Bearer ${user.token}`
    : user.username !== undefined
      ? `Basic ${Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64')}`
      : undefined;
  const headers: Record<string, string> = authorization ? { Authorization: authorization } : {};
  return { server: server.server, tls, headers: async () => headers };
}
