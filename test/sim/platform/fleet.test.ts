import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { ApiException, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fleet, startFleet } from '#sim/fleet.ts';
import { customObjects, fleetFetch, kubeConfigFor } from './by-hand.ts';

const DEMO = resolve(import.meta.dirname, '../../../examples/scenarios/demo.yaml');
const SUBSCRIPTIONS = { group: 'operators.coreos.com', version: 'v1alpha1', plural: 'subscriptions' };

describe('simulated fleet', () => {
  let fleet: Fleet;
  let tmp: string;

  beforeAll(async () => {
    fleet = await startFleet({ scenario: DEMO, speed: 10_000 });
    tmp = await mkdtemp(resolve(tmpdir(), 'fleet-test-'));
  });
  afterAll(async () => {
    await fleet.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  it('runs one server per platform with the scenario tokens and cluster split', () => {
    expect(fleet.platforms.map((p) => [p.name, p.token, p.clusters.length])).toEqual([
      ['acp-east', 'demo-east-token-0001', 8],
      ['acp-west', 'demo-west-token-0002', 4],
    ]);
    expect(new Set(fleet.platforms.map((p) => p.url)).size).toBe(2);
    expect(fleet.downloadBaseUrl).toBe(`${fleet.platforms[0]?.url}/downloads`);
  });

  it('writes a kubeconfig with one context per cluster, server <platform>/kubernetes/<cluster>, one user per platform', async () => {
    // Prepare
    const path = resolve(tmp, 'nested/kubeconfig');

    // Act
    await fleet.writeKubeconfig(path);
    const kc = new KubeConfig();
    kc.loadFromFile(path);

    // Assess
    expect(((await stat(path)).mode & 0o777).toString(8)).toBe('600');
    expect(kc.getContexts().map((c) => c.name)).toEqual(fleet.clusterNames());
    expect(kc.getUsers().map((u) => [u.name, u.token])).toEqual([
      ['acp-east', 'demo-east-token-0001'],
      ['acp-west', 'demo-west-token-0002'],
    ]);
    const west = fleet.platforms[1];
    expect(kc.getContextObject('cluster-10')).toMatchObject({ cluster: 'cluster-10', user: 'acp-west' });
    expect(kc.getCluster('cluster-10')?.server).toBe(`${west?.url}/kubernetes/cluster-10`);
    kc.setCurrentContext('cluster-10');
    const subscription = await kc
      .makeApiClient(CustomObjectsApi)
      .getNamespacedCustomObject({ ...SUBSCRIPTIONS, namespace: 'redis-system', name: 'redis-operator' });
    expect(subscription.status.installedCSV).toBe('redis-operator.v3.16.2');
  });

  it('seeds each cluster as its scenario group says', async () => {
    const core = (context: string) => kubeConfigFor(fleet, context).makeApiClient(CoreV1Api);
    const version = async (context: string) =>
      (await core(context).readNamespacedConfigMap({ name: 'acp-version', namespace: 'kube-public' })).data
        ?.version;
    expect(await version('cluster-03')).toBe('3.20.1');
    expect(await version('cluster-01')).toBe('3.18.0');
    const unhealthy = Object.entries(fleet.clusterState('cluster-04').instances).filter(
      ([, s]) => s !== 'Ready',
    );
    expect(unhealthy).toEqual([['Redis/redis-apps/redis-1', 'Error']]);
  });

  it('lists each platform its own clusters with labels, and only for its own token', async () => {
    const [east, west] = fleet.platforms;
    const list = await fleetFetch(fleet)(`${east?.url}/auth/v1/clusters?labelSelector=env%3Dstaging`, {
      headers: { Authorization: `Bearer ${east?.token}` },
    });
    const body = (await list.json()) as { items: { metadata: { name: string } }[] };
    expect(body.items.map((c) => c.metadata.name)).toEqual(['cluster-03', 'cluster-06']);
    const crossed = await fleetFetch(fleet)(`${east?.url}/auth/v1/clusters`, {
      headers: { Authorization: `Bearer ${west?.token}` },
    });
    expect(crossed.status).toBe(401);
  });

  it('switches a cluster faults on and off at run time', async () => {
    // Prepare
    const api = customObjects(fleet, 'cluster-02');
    const read = () =>
      api.getNamespacedCustomObject({ ...SUBSCRIPTIONS, namespace: 'redis-system', name: 'redis-operator' });

    // Act
    fleet.setFaults('cluster-02', { error500Rate: 1 });
    const failed = await read().catch((error: unknown) => error);
    fleet.setFaults('cluster-02', {});
    const recovered = await read();

    // Assess
    expect(failed).toBeInstanceOf(ApiException);
    expect((failed as ApiException<unknown>).code).toBe(500);
    expect(recovered.metadata.name).toBe('redis-operator');
  });

  it('refuses to describe a cluster it does not have', () => {
    expect(() => fleet.clusterState('cluster-99')).toThrow('the fleet has no cluster cluster-99');
  });
});

describe('fleet shutdown', () => {
  it('stops serving and can be stopped twice', async () => {
    const fleet = await startFleet({ clusters: 2, seed: 9 });
    const url = `${fleet.platforms[0]?.url}/auth/v1/clusters`;
    const token = fleet.platforms[0]?.token;
    const trusting = fleetFetch(fleet);
    expect((await trusting(url, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    await fleet.stop();
    await fleet.stop();
    await expect(trusting(url)).rejects.toThrow();
  });
});
