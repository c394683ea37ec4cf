/**
 * KubeClusterGateway over a kubeconfig file with several contexts, each a cluster under the
 * simulated platform: the record's context picks the cluster, the platform target is derived
 * from the context's server URL and token, and a bad kubeconfig or context is a clear ConfigError.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { KubeClusterGateway, platformTarget } from '#adapters/kube/kube-cluster-gateway.ts';
import { kubeConfigFromFile, kubeEndpoint, selectContext } from '#adapters/kube/kube-config-file.ts';
import { kubeConfigFromText } from '#adapters/kube/kube-config-text.ts';
import { ConfigError } from '#domain/errors.ts';
import { caData } from '#test/sim/api/sim-api-fixture.ts';
import { clusterSpec, FAST_RETRY, type KubeSim, startKubeSim, TOKEN } from './support/kube-sim.ts';
import { platformKubeconfig, startTokenApiServer, type TokenApiServer } from './support/token-api-server.ts';

describe('KubeClusterGateway with a multi-context kubeconfig', () => {
  let sim: KubeSim;
  let dir: string;
  let kubeconfigPath: string;

  beforeAll(async () => {
    sim = await startKubeSim();
    sim.addCluster('east', clusterSpec({ platformVersion: '3.16.0' }));
    sim.addCluster('west', clusterSpec({ platformVersion: '3.18.2' }));
    dir = await mkdtemp(join(tmpdir(), 'kube-gateway-'));
    kubeconfigPath = join(dir, 'kubeconfig');
    const server = (name: string) => ({
      name,
      cluster: { server: `${sim.url}/kubernetes/${name}`, 'certificate-authority-data': caData(sim.ca) },
    });
    const context = (name: string, cluster: string) => ({
      name,
      context: { cluster, user: 'platform-admin' },
    });
    await writeFile(
      kubeconfigPath,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          server('east'),
          server('west'),
          { name: 'legacy', cluster: { server: 'https://10.0.0.9:6443' } },
        ],
        users: [{ name: 'platform-admin', user: { token: TOKEN } }],
        contexts: [context('east', 'east'), context('acp-west', 'west'), context('legacy', 'legacy')],
        'current-context': 'east',
      }),
    );
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  const gateway = () => new KubeClusterGateway(kubeConfigFromFile(kubeconfigPath), { retry: FAST_RETRY });

  it('reaches each cluster through the context its record names, or the context named like the cluster', async () => {
    // Prepare
    const clusters = gateway();

    // Act
    const west = await clusters.forCluster({ name: 'west', context: 'acp-west', labels: {} });
    const east = await clusters.forCluster({ name: 'east', labels: {} });

    // Assess
    expect(await west.readPlatformVersion()).toBe('3.18.2');
    expect(await east.readPlatformVersion()).toBe('3.16.0');
    expect(await clusters.forCluster({ name: 'west', context: 'acp-west', labels: {} })).toBe(west);
  });

  it('follows a record whose context changed (PUT /clusters/{name}) instead of the client built for the old one', async () => {
    // Prepare
    const clusters = gateway();
    const before = await clusters.forCluster({ name: 'west', context: 'acp-west', labels: {} });
    expect(await before.readPlatformVersion()).toBe('3.18.2');

    // Act: the operator points the record at another context
    const after = await clusters.forCluster({ name: 'west', context: 'east', labels: {} });

    // Assess
    expect(await after.readPlatformVersion()).toBe('3.16.0');
  });

  it('derives the platform target violet needs from the context, the CA the kubeconfig trusts included', async () => {
    // Act
    const target = await gateway().platformTarget({ name: 'west', context: 'acp-west', labels: {} });

    // Assess
    expect(target).toEqual({ address: sim.url, cluster: 'west', token: TOKEN, certificateAuthority: sim.ca });
  });

  it('refuses a context that is not in the kubeconfig with a ConfigError naming it', async () => {
    // Act
    const error = await gateway()
      .forCluster({ name: 'north', context: 'acp-north', labels: {} })
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe('kubeconfig has no context "acp-north" for cluster north');
  });

  it('refuses a platform target for a context that is not an ACP cluster URL', async () => {
    // Act
    const error = await gateway()
      .platformTarget({ name: 'legacy', labels: {} })
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('cluster legacy: kubeconfig server must look like');
  });

  it('refuses a kubeconfig file that cannot be read', async () => {
    // Prepare
    const clusters = new KubeClusterGateway(kubeConfigFromFile(join(dir, 'missing')));

    // Act
    const error = await clusters.forCluster({ name: 'east', labels: {} }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^cannot read kubeconfig .*missing: /);
  });

  it('never quotes a malformed kubeconfig file (and the token in it) in its error', async () => {
    // Prepare: bad indentation right on the line holding the token
    const broken = join(dir, 'broken-kubeconfig');
    await writeFile(
      broken,
      `apiVersion: v1\nusers:\n- name: admin\n  user:\n    token: ${TOKEN}\n   bad: indent\n`,
    );
    const clusters = new KubeClusterGateway(kubeConfigFromFile(broken));

    // Act
    const error = await clusters.forCluster({ name: 'east', labels: {} }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^cannot read kubeconfig .*broken-kubeconfig: /);
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(TOKEN);
    expect(String((error as Error).cause ?? '')).not.toContain(TOKEN);
  });

  it('reads a kubeconfig file again after a failed read, instead of keeping an empty one', async () => {
    // Prepare: the file is missing at first, then written
    const late = join(dir, 'late-kubeconfig');
    const source = kubeConfigFromFile(late);
    const cluster = { name: 'east', labels: {} };
    await source(cluster).catch(() => undefined);
    await writeFile(late, await readFile(kubeconfigPath, 'utf8'));

    // Act
    const endpoint = await source(cluster);

    // Assess
    expect(endpoint.server).toBe(`${sim.url}/kubernetes/east`);
  });

  it('selects a context on a private copy of it, its cluster and its user, leaving the loaded kubeconfig as it was', async () => {
    // Prepare
    const source = new KubeConfig();
    source.loadFromFile(kubeconfigPath);

    // Act
    const selected = selectContext(source, { name: 'west', context: 'acp-west', labels: {} });

    // Assess
    expect(selected.getCurrentContext()).toBe('acp-west');
    expect(source.getCurrentContext()).toBe('east');
    // Only what the context names: client-node searches these lists on every request.
    const context = source.getContextObject('acp-west');
    expect(source.getContexts().length).toBeGreaterThan(1);
    expect(selected.getContexts()).toEqual([context]);
    expect(selected.getClusters()).toEqual([source.getCluster(context?.cluster ?? '')]);
    expect(selected.getUsers()).toEqual([source.getUser(context?.user ?? '')]);
    const west = { name: 'west', labels: {} };
    expect((await platformTarget(await kubeEndpoint(selected, west), west)).cluster).toBe('west');
  });

  it('does not keep a failed build: the next call tries the source again', async () => {
    // Prepare
    let calls = 0;
    const flaky = new KubeClusterGateway(
      async (cluster) => {
        calls += 1;
        if (calls === 1) throw new ConfigError('secret not readable yet');
        return kubeConfigFromFile(kubeconfigPath)(cluster);
      },
      { retry: FAST_RETRY },
    );
    const record = { name: 'west', context: 'acp-west', labels: {} };
    await expect(flaky.forCluster(record)).rejects.toThrow('secret not readable yet');

    // Act
    const client = await flaky.forCluster(record);

    // Assess
    expect(await client.readPlatformVersion()).toBe('3.18.2');
    expect(calls).toBe(2);
  });
});

describe('KubeClusterGateway when the kubeconfig behind a cluster changes', () => {
  let api: TokenApiServer;
  let text: string;
  const record = { name: 'c1', labels: {} };

  beforeAll(async () => {
    api = await startTokenApiServer();
  });
  afterAll(() => api.close());

  // The source as the secrets cache serves it: whatever text it holds now.
  const gateway = () =>
    new KubeClusterGateway(
      kubeConfigFromText(async () => text),
      { retry: FAST_RETRY },
    );

  it('sends the rotated token on the next request once the source holds it, the old one revoked', async () => {
    // Prepare
    api.accept('old-token');
    text = platformKubeconfig(api.url, 'old-token', ['c1']);
    const clusters = gateway();
    expect(await (await clusters.forCluster(record)).readPlatformVersion()).toBe('3.18.2');

    // Act: the platform secret is updated and the old token revoked
    text = platformKubeconfig(api.url, 'new-token', ['c1']);
    api.accept('new-token');
    const version = await (await clusters.forCluster(record)).readPlatformVersion();

    // Assess
    expect(version).toBe('3.18.2');
    expect(api.authorizations.at(-1)).toBe('Bearer new-token');
    await clusters.close();
  });

  it('keeps the client while the kubeconfig is unchanged, and the connection across a rotation', async () => {
    // Prepare
    api.accept('token-a');
    text = platformKubeconfig(api.url, 'token-a', ['c1', 'c2']);
    const clusters = gateway();
    const connectionsBefore = api.connections();

    // Act
    const first = await clusters.forCluster(record);
    await first.readPlatformVersion();
    const again = await clusters.forCluster(record);
    await again.readPlatformVersion();
    await (await clusters.forCluster({ name: 'c2', labels: {} })).readPlatformVersion();
    text = platformKubeconfig(api.url, 'token-b', ['c1', 'c2']);
    api.accept('token-b');
    const rotated = await clusters.forCluster(record);
    await rotated.readPlatformVersion();

    // Assess: one client until the text changed; one keep-alive connection throughout
    expect(again).toBe(first);
    expect(rotated).not.toBe(first);
    expect(api.connections() - connectionsBefore).toBe(1);
    await clusters.close();
  });
});
