import { badRequest } from '#sim/store/api-error.ts';
import { parseLabelSelector } from '#sim/store/label-selector.ts';

export interface ListedCluster {
  name: string;
  labels: Record<string, string>;
}

function decodeContinue(token: string): string {
  const after = Buffer.from(token, 'base64url').toString('utf8');
  if (!after) throw badRequest('continue key is not valid');
  return after;
}

/**
 * `GET /auth/v1/clusters`: the platform's `clusterregistry.k8s.io/v1alpha1` ClusterList, sorted by
 * name, with `labelSelector` and `limit`/`continue` paging (the token is the last name served).
 */
export function clusterList(clusters: Iterable<ListedCluster>, url: URL, baseUrl: string): object {
  const matches = parseLabelSelector(url.searchParams.get('labelSelector'));
  const after = url.searchParams.get('continue');
  const start = after ? decodeContinue(after) : undefined;
  const limitParam = Number(url.searchParams.get('limit') ?? '0');
  const limit = Number.isInteger(limitParam) && limitParam > 0 ? limitParam : Number.POSITIVE_INFINITY;
  const selected = [...clusters]
    .filter((c) => (start === undefined || c.name > start) && (!matches || matches(c.labels)))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const page = selected.slice(0, limit);
  const last = page.at(-1);
  const more = selected.length > page.length && last !== undefined;
  return {
    apiVersion: 'clusterregistry.k8s.io/v1alpha1',
    kind: 'ClusterList',
    metadata: more ? { continue: Buffer.from(last.name, 'utf8').toString('base64url') } : {},
    items: page.map((c) => ({
      apiVersion: 'clusterregistry.k8s.io/v1alpha1',
      kind: 'Cluster',
      metadata: { name: c.name, labels: { ...c.labels } },
      spec: {
        kubernetesApiEndpoints: {
          serverEndpoints: [{ clientCIDR: '0.0.0.0/0', serverAddress: `${baseUrl}/kubernetes/${c.name}` }],
        },
      },
    })),
  };
}
