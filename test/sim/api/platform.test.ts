import { ApisApi, CoreApi, CoreV1Api, CustomObjectsApi, VersionApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterStore } from '#sim/store/cluster-store.ts';
import { expectStatus, type SimApi, startSimApi, TOKEN } from '#test/sim/api/sim-api-fixture.ts';

let sim: SimApi;

type ClusterList = {
  kind: string;
  metadata: { continue?: string };
  items: {
    metadata: { name: string; labels: Record<string, string> };
    spec: { kubernetesApiEndpoints: { serverEndpoints: { serverAddress: string }[] } };
  }[];
};

/** The platform's cluster registry is not a Kubernetes API path, so it is fetched with the platform token. */
async function listClusters(query: string, token = TOKEN): Promise<{ status: number; body: ClusterList }> {
  const response = await sim.fetch(`${sim.server.url}/auth/v1/clusters${query}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: (await response.json()) as ClusterList };
}

beforeAll(async () => {
  sim = await startSimApi(
    [
      { name: 'c-03', labels: { region: 'east', env: 'prod' } },
      { name: 'c-01', labels: { region: 'west', env: 'prod' } },
      { name: 'c-02', labels: { region: 'east', env: 'staging' } },
    ],
    {
      extraRoutes: [
        (_req, res, url) => {
          if (url.pathname !== '/public/ping') return false;
          res.writeHead(200, { 'Content-Type': 'text/plain' }).end('pong');
          return true;
        },
      ],
    },
  );
});
afterAll(() => sim.close());

describe('platform endpoints', () => {
  it('lists the clusters sorted, by label selector, and in pages', async () => {
    // Act
    const all = await listClusters('');
    const east = await listClusters('?labelSelector=region%3Deast,env%3Dprod');
    const page1 = await listClusters('?limit=2');
    const page2 = await listClusters(`?limit=2&continue=${page1.body.metadata.continue}`);

    // Assess
    expect(all.body.kind).toBe('ClusterList');
    expect(all.body.items.map((c) => c.metadata.name)).toEqual(['c-01', 'c-02', 'c-03']);
    expect(all.body.items[0]?.spec.kubernetesApiEndpoints.serverEndpoints[0]?.serverAddress).toBe(
      `${sim.server.url}/kubernetes/c-01`,
    );
    expect(east.body.items.map((c) => c.metadata.name)).toEqual(['c-03']);
    expect(page1.body.items.map((c) => c.metadata.name)).toEqual(['c-01', 'c-02']);
    expect(page2.body.items.map((c) => c.metadata.name)).toEqual(['c-03']);
    expect(page2.body.metadata.continue).toBeUndefined();
  });

  it('refuses a missing or wrong bearer token with a 401 Status, on the registry and on cluster APIs', async () => {
    // Act
    const registry = await listClusters('', 'wrong');
    const api = await expectStatus(() =>
      sim.kubeConfig('c-01', 'wrong').makeApiClient(CoreV1Api).listNamespace(),
    );
    const anonymous = await sim.fetch(`${sim.server.url}/kubernetes/c-01/api/v1/namespaces`);

    // Assess
    expect(registry.status).toBe(401);
    expect(api.code).toBe(401); // client-node drops the body of a 401
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });

  it('answers 404 for an unknown cluster and serves clusters added to the live map', async () => {
    // Prepare
    const missing = await expectStatus(() => sim.kubeConfig('c-99').makeApiClient(CoreV1Api).listNamespace());
    sim.clusters.set('c-99', { name: 'c-99', labels: {}, store: new ClusterStore('c-99'), faults: {} });

    // Act
    const listed = await sim.kubeConfig('c-99').makeApiClient(CoreV1Api).listNamespace();

    // Assess
    expect(missing.code).toBe(404);
    expect(listed.items).toEqual([]);
  });

  it('runs extra routes before the token check', async () => {
    // Act
    const response = await sim.fetch(`${sim.server.url}/public/ping`);

    // Assess
    expect(await response.text()).toBe('pong');
  });
});

describe('discovery', () => {
  it('serves /version, /api, /apis and the resource lists client-node reads', async () => {
    // Prepare
    const kc = sim.kubeConfig('c-01');

    // Act
    const version = await kc.makeApiClient(VersionApi).getCode();
    const core = await kc.makeApiClient(CoreApi).getAPIVersions();
    const groups = await kc.makeApiClient(ApisApi).getAPIVersions();
    const coreResources = await kc.makeApiClient(CoreV1Api).getAPIResources();
    const olm = await kc
      .makeApiClient(CustomObjectsApi)
      .getAPIResources({ group: 'operators.coreos.com', version: 'v1alpha1' });
    const unknown = await expectStatus(() =>
      kc.makeApiClient(CustomObjectsApi).getAPIResources({ group: 'example.com', version: 'v1' }),
    );

    // Assess
    expect(version.major).toBe('1');
    expect(core.versions).toEqual(['v1']);
    const preferred = Object.fromEntries(groups.groups.map((g) => [g.name, g.preferredVersion?.version]));
    expect(preferred).toMatchObject({
      'operators.coreos.com': 'v1',
      'product.alauda.io': 'v1alpha2',
      'redis.kun': 'v1alpha1',
    });
    expect(coreResources.resources.map((r) => r.name)).toEqual(
      expect.arrayContaining([
        'pods',
        'pods/status',
        'nodes',
        'namespaces',
        'persistentvolumeclaims',
        'configmaps',
      ]),
    );
    const subscriptions = olm.resources.find((r) => r.name === 'subscriptions');
    expect(subscriptions).toMatchObject({ kind: 'Subscription', namespaced: true });
    expect(subscriptions?.verbs).toEqual(expect.arrayContaining(['get', 'list', 'watch', 'patch']));
    expect(olm.resources.map((r) => r.name)).toContain('installplans/status');
    expect(unknown.code).toBe(404);
  });
});
