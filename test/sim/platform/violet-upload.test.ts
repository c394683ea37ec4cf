import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { ApiException, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchTrusting } from '#adapters/local/fetch-trusting.ts';
import { type PlatformServer, type SimCluster, startPlatformServer } from '#sim/api/platform-server.ts';
import { buildPluginPackage } from '#sim/packages/plugin-package.ts';
import { ClusterStore } from '#sim/store/cluster-store.ts';
import { type SimServingTls, simServingTls } from '#sim/tls/sim-certificates.ts';
import { UPLOAD_PATH, uploadRoute } from '#sim/upload/upload-route.ts';
import { caData } from '#test/sim/api/sim-api-fixture.ts';
import { freePort, PACKAGES, violet } from './by-hand.ts';

const TOKEN = 'platform-token-for-upload-tests';
const PKG_403 = resolve(PACKAGES, 'redis-operator.stable.ALL.v4.0.3.tgz');
const PKG_402 = resolve(PACKAGES, 'redis-operator.stable.ALL.v4.0.2.tgz');
const ARTIFACTS = { group: 'app.alauda.io', version: 'v1alpha1', namespace: 'cpaas-system' };

describe('violet shim and the platform upload endpoint', () => {
  let server: PlatformServer;
  let tls: SimServingTls;
  let tmp: string;
  const clusters = new Map<string, SimCluster>();

  function client(cluster: string): CustomObjectsApi {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name: cluster,
          server: `${server.url}/kubernetes/${cluster}`,
          caData: caData(tls.caPem),
          skipTLSVerify: false,
        },
      ],
      users: [{ name: 'admin', token: TOKEN }],
      contexts: [{ name: cluster, cluster, user: 'admin' }],
      currentContext: cluster,
    });
    return kc.makeApiClient(CustomObjectsApi);
  }

  async function artifactVersion(cluster: string, name: string) {
    try {
      return await client(cluster).getNamespacedCustomObject({
        ...ARTIFACTS,
        plural: 'artifactversions',
        name,
      });
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return undefined;
      throw error;
    }
  }

  const push = (file: string, names: string, token = TOKEN, address = server.url) =>
    violet(
      ['push', file, '--platform-address', address, '--platform-token', token, '--clusters', names],
      tls.caPem,
    );

  beforeAll(async () => {
    for (const name of ['east-1', 'east-2', 'broken']) {
      clusters.set(name, { name, labels: {}, store: new ClusterStore(name), faults: {} });
    }
    tls = await simServingTls();
    server = await startPlatformServer({
      tls,
      token: TOKEN,
      clusters,
      extraRoutes: [uploadRoute({ token: TOKEN, clusters, failsUpload: (name) => name === 'broken' })],
    });
    tmp = await mkdtemp(resolve(tmpdir(), 'violet-test-'));
  });
  afterAll(async () => {
    await server.close();
    await rm(tmp, { recursive: true, force: true });
  });

  it('pushes a package to several clusters: Artifact and ArtifactVersion with reason Success in each', async () => {
    // Act
    const result = await push(PKG_403, 'east-1,east-2');

    // Assess
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('[1/3] extracting redis-operator.stable.ALL.v4.0.3.tgz');
    expect(result.stdout).toContain('cluster east-2: Success: ArtifactVersion redis-operator.v4.0.3 Success');
    for (const cluster of ['east-1', 'east-2']) {
      const version = await artifactVersion(cluster, 'redis-operator.v4.0.3');
      expect(version).toMatchObject({
        metadata: { labels: { 'cpaas.io/artifact': 'redis-operator' } },
        spec: { present: true, tag: 'v4.0.3' },
        status: { reason: 'Success', version: 'v4.0.3' },
      });
      const artifact = await client(cluster).getNamespacedCustomObject({
        ...ARTIFACTS,
        plural: 'artifacts',
        name: 'redis-operator',
      });
      expect(artifact.spec).toMatchObject({ present: true, type: 'bundle' });
      expect(version.metadata.ownerReferences[0]).toMatchObject({
        kind: 'Artifact',
        uid: artifact.metadata.uid,
      });
    }
  });

  it('accepts the same package again (a retried push is harmless)', async () => {
    const result = await push(PKG_403, 'east-1');
    expect(result.code).toBe(0);
    expect((await artifactVersion('east-1', 'redis-operator.v4.0.3'))?.status.reason).toBe('Success');
  });

  it('refuses a corrupt package before contacting the platform', async () => {
    // Prepare
    const corrupt = resolve(tmp, 'redis-operator.stable.ALL.v4.0.2.tgz');
    await writeFile(corrupt, Buffer.from('definitely not gzip'));

    // Act
    const result = await push(corrupt, 'east-1', TOKEN, 'http://127.0.0.1:9');

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'violet: redis-operator.stable.ALL.v4.0.2.tgz: corrupt package: not a gzip archive',
    );
  });

  it('reports the platform refusing an unknown package (422)', async () => {
    // Prepare
    const unknown = resolve(tmp, 'mysql-operator.stable.ALL.v1.0.0.tgz');
    await writeFile(
      unknown,
      buildPluginPackage({
        package: 'mysql-operator',
        version: '1.0.0',
        csv: 'mysql-operator.v1.0.0',
        channel: 'stable',
      }),
    );

    // Act
    const result = await push(unknown, 'east-1');

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n').at(-1)).toBe(
      `violet: platform ${server.url} answered 422: unknown package mysql-operator: this platform serves redis-operator`,
    );
    expect(await artifactVersion('east-1', 'mysql-operator.v1.0.0')).toBeUndefined();
  });

  it('names an unknown cluster and writes nothing anywhere', async () => {
    const result = await push(PKG_402, 'east-1,nowhere');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('answered 404: unknown cluster(s) on this platform: nowhere');
    expect(await artifactVersion('east-1', 'redis-operator.v4.0.2')).toBeUndefined();
  });

  it('fails naming the cluster whose push failed, after pushing to the others', async () => {
    const result = await push(PKG_402, 'broken,east-2');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cluster broken: Failed: pushing images to cluster broken failed');
    expect(result.stderr.trim().split('\n').at(-1)).toBe('violet: push failed for cluster(s): broken');
    expect((await artifactVersion('east-2', 'redis-operator.v4.0.2'))?.status.reason).toBe('Success');
  });

  it('fails on a wrong platform token (401)', async () => {
    const result = await push(PKG_403, 'east-1', 'wrong-token');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('refused the token (401 Unauthorized)');
  });

  it('fails when the platform is unreachable', async () => {
    const port = await freePort();
    const result = await push(PKG_403, 'east-1', TOKEN, `http://127.0.0.1:${port}`);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`violet: cannot reach platform http://127.0.0.1:${port}: ECONNREFUSED`);
  });

  it('refuses a platform certificate it has no CA for, before sending anything', async () => {
    // Act: no SSL_CERT_FILE
    const result = await violet([
      'push',
      PKG_403,
      '--platform-address',
      server.url,
      '--platform-token',
      TOKEN,
      '--clusters',
      'east-2',
    ]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `violet: cannot reach platform ${server.url}: UNABLE_TO_VERIFY_LEAF_SIGNATURE`,
    );
  });

  it('fails on a missing file and on missing flags, one line on stderr', async () => {
    const missing = await push(resolve(tmp, 'nope.tgz'), 'east-1');
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(`violet: cannot read package ${resolve(tmp, 'nope.tgz')}: ENOENT`);
    const noToken = await violet(['push', PKG_403, '--platform-address', server.url]);
    expect(noToken.code).not.toBe(0);
    expect(noToken.stderr.trim()).toBe("error: required option '--platform-token <token>' not specified");
  });

  it('answers the raw endpoint: 400 without clusters, 405 for GET', async () => {
    const headers = { Authorization: `Bearer ${TOKEN}` };
    const noClusters = await fetchTrusting(tls.caPem)(`${server.url}${UPLOAD_PATH}`, {
      method: 'POST',
      headers,
      body: 'x',
    });
    expect(noClusters.status).toBe(400);
    expect(await noClusters.json()).toEqual({
      reason: 'BadRequest',
      message: 'no clusters given (?clusters=a,b)',
    });
    const get = await fetchTrusting(tls.caPem)(`${server.url}${UPLOAD_PATH}?clusters=east-1`, { headers });
    expect(get.status).toBe(405);
  });
});
