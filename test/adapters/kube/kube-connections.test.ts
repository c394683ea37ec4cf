/**
 * The kube adapter's requests reuse kept-alive TLS connections: one pool per API server and TLS
 * identity, shared by the clusters of a platform, bounded in size, counted where they land (the
 * simulated platform counts the TLS connections it accepts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClusterClient } from '#adapters/kube/kube-cluster-client.ts';
import { DEFAULT_CLIENT_OPTIONS } from '#adapters/kube/kube-cluster-gateway.ts';
import { KubeConnections } from '#adapters/kube/kube-connections.ts';
import type { ClusterClient } from '#shared/ports.ts';
import { simServingTls } from '#sim/tls/sim-certificates.ts';
import { clusterSpec, FAST_RETRY, type KubeSim, startKubeSim } from './support/kube-sim.ts';

/** What the stages read of a cluster during one hop, a little more than once over. */
async function readLikeAnUpgrade(client: ClusterClient): Promise<number> {
  await client.readSubscription();
  await client.readCsv('redis-operator.v3.16.1');
  await client.readPlatformVersion();
  await Promise.all([client.listRedisInstances(), client.readCapacity(), client.listPvcs()]);
  await client.listRedisBackups();
  await client.readArtifactVersionReason('redis-operator.v4.0.3');
  for (let poll = 0; poll < 5; poll++) {
    await client.readPackageChannel('redis-operator', 'stable');
    await client.listInstallPlans('redis-system');
  }
  await Promise.all([client.readSubscription(), client.readCsv('redis-operator.v4.0.3')]);
  await client.listRedisInstances();
  // 1 + 1 + 1 + (4 + 2 + 1) + 1 + 1 + 10 + 2 + 4 requests.
  return 28;
}

describe('Kubernetes connections', () => {
  let sim: KubeSim;
  const pools: KubeConnections[] = [];
  const connections = (options?: ConstructorParameters<typeof KubeConnections>[0]) => {
    const made = new KubeConnections(options);
    pools.push(made);
    return made;
  };
  const client = (name: string, shared: KubeConnections) =>
    new KubeClusterClient(name, sim.endpoint(name), { ...DEFAULT_CLIENT_OPTIONS, retry: FAST_RETRY }, shared);

  beforeAll(async () => {
    sim = await startKubeSim();
    for (const name of ['east', 'west', 'north']) sim.addCluster(name, clusterSpec());
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.close()));
    await sim.close();
  });

  it('serves an upgrade-sized run of requests over a handful of kept-alive TLS connections', async () => {
    // Prepare
    const shared = connections();
    const before = sim.traffic();

    // Act
    const requests = await readLikeAnUpgrade(client('east', shared));

    // Assess
    const after = sim.traffic();
    expect(after.clusters.east).toBe((before.clusters.east ?? 0) + requests);
    // At most one connection per request in flight at once (four instance lists in parallel).
    const accepted = after.connections.accepted - before.connections.accepted;
    expect(accepted).toBeGreaterThanOrEqual(1);
    expect(accepted).toBeLessThanOrEqual(7);
  });

  it('shares one pool among the clusters of a platform, and never opens more than its size', async () => {
    // Prepare
    const shared = connections({ maxConnections: 2 });
    const clients = ['east', 'west', 'north'].map((name) => client(name, shared));
    const before = sim.traffic();

    // Act
    await Promise.all(clients.map((c) => readLikeAnUpgrade(c)));

    // Assess
    const after = sim.traffic();
    expect(shared.size).toBe(1);
    expect(after.connections.accepted - before.connections.accepted).toBeLessThanOrEqual(2);
    for (const name of ['east', 'west', 'north']) {
      expect(after.clusters[name]).toBeGreaterThanOrEqual(28);
    }
  });

  it('keeps a pool apart for a server reached with other TLS material', async () => {
    // Prepare: the same server, trusted through a bundle of two CAs (an unrelated one first).
    const shared = connections();
    const other = await simServingTls();
    const bundled = new KubeClusterClient(
      'west',
      {
        ...sim.endpoint('west'),
        tls: {
          ca: `${other.caPem}
${sim.ca}`,
        },
      },
      { ...DEFAULT_CLIENT_OPTIONS, retry: FAST_RETRY },
      shared,
    );

    // Act
    await client('east', shared).readSubscription();
    await bundled.readSubscription();

    // Assess
    expect(shared.size).toBe(2);
  });

  it("refuses a server whose certificate no CA of the endpoint's signs, unless told to skip the check", async () => {
    // Prepare: the pool's one TLS context holds only an unrelated CA.
    const other = await simServingTls();
    const reach = (tls: object) =>
      new KubeClusterClient(
        'west',
        { ...sim.endpoint('west'), tls },
        { ...DEFAULT_CLIENT_OPTIONS, retry: FAST_RETRY },
        connections(),
      ).readSubscription();

    // Act
    const untrusted = reach({ ca: other.caPem });
    const skipped = reach({ ca: other.caPem, rejectUnauthorized: false });

    // Assess
    await expect(untrusted).rejects.toThrow(/certificate/i);
    await expect(skipped).resolves.toMatchObject({ name: expect.any(String) });
  });
});
