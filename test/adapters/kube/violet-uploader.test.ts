/**
 * VioletUploader running the simulator's violet shim against the platform's upload endpoint: a
 * package lands as an ArtifactVersion the cluster client then reads, and every failure is one
 * line that never carries the platform token.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlatformTarget } from '#adapters/kube/kube-cluster-gateway.ts';
import { VioletUploader } from '#adapters/kube/violet-uploader.ts';
import { TransientError, UpgraderError } from '#domain/errors.ts';
import type { ClusterRecord } from '#shared/ports.ts';
import { simServingTls } from '#sim/tls/sim-certificates.ts';
import { eventually, type KubeSim, PACKAGES, startKubeSim, TOKEN, VIOLET } from './support/kube-sim.ts';

const WEST: ClusterRecord = { name: 'west', labels: {} };
const PACKAGE_3162 = join(PACKAGES, 'redis-operator.stable.ALL.v3.16.2.tgz');

describe('VioletUploader with the violet shim', () => {
  let sim: KubeSim;
  let dir: string;

  beforeAll(async () => {
    sim = await startKubeSim();
    sim.addCluster('west');
    dir = await mkdtemp(join(tmpdir(), 'violet-uploader-'));
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  const uploader = (options: { token?: string; violet?: string; timeoutMs?: number; ca?: string } = {}) =>
    new VioletUploader({
      violet: options.violet ?? VIOLET,
      timeoutMs: options.timeoutMs ?? 20_000,
      target: async (cluster): Promise<PlatformTarget> => ({
        address: sim.url,
        token: options.token ?? TOKEN,
        cluster: cluster.name,
        certificateAuthority: options.ca ?? sim.ca,
      }),
    });

  async function pushFailure(push: Promise<void>): Promise<UpgraderError> {
    const error = await push.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UpgraderError);
    return error as UpgraderError;
  }

  it('pushes a package: the ArtifactVersion reports Success and the catalog offers the CSV', async () => {
    // Prepare
    const client = sim.client('west');
    expect(await client.readArtifactVersionReason('redis-operator.v3.16.2')).toBeUndefined();

    // Act
    await uploader().push(PACKAGE_3162, WEST);

    // Assess
    expect(await client.readArtifactVersionReason('redis-operator.v3.16.2')).toBe('Success');
    const offered = await eventually(
      'the catalog to offer the upload',
      async () => (await client.readPackageChannel('redis-operator', 'stable')).offered,
      (csvs) => csvs.includes('redis-operator.v3.16.2'),
    );
    expect(offered).toEqual(['redis-operator.v3.16.2', 'redis-operator.v3.16.1']);
  });

  it('fails a corrupt package with violet’s one-line reason and without the token', async () => {
    // Prepare
    const corrupt = join(dir, 'redis-operator.stable.ALL.v4.0.1.tgz');
    await writeFile(corrupt, 'this is not a gzip archive');
    const before = sim.store('west').resourceVersion;

    // Act
    const error = await pushFailure(uploader().push(corrupt, WEST));

    // Assess
    expect(error.code).toBe('UPLOAD_FAILED');
    expect(error.message).toMatch(
      /^violet push to cluster west failed: violet: redis-operator\.stable\.ALL\.v4\.0\.1\.tgz: /,
    );
    expect(error.message).not.toContain('\n');
    expect(error.message).not.toContain(TOKEN);
    expect(JSON.stringify(error.details)).not.toContain(TOKEN);
    expect(sim.store('west').resourceVersion).toBe(before);
  });

  it('reports a refused token without repeating it', async () => {
    // Act
    const error = await pushFailure(uploader({ token: 'wrong-token-1234' }).push(PACKAGE_3162, WEST));

    // Assess
    expect(error.message).toBe(
      `violet push to cluster west failed: violet: platform ${sim.url} refused the token (401 Unauthorized)`,
    );
  });

  it('refuses a platform whose certificate the kubeconfig CA did not sign, for good and writing nothing', async () => {
    // Prepare: a CA from another run
    const stranger = (await simServingTls()).caPem;
    const before = sim.store('west').resourceVersion;

    // Act
    const error = await pushFailure(uploader({ ca: stranger }).push(PACKAGE_3162, WEST));

    // Assess
    expect(error).not.toBeInstanceOf(TransientError);
    expect(error.message).toBe(
      `violet push to cluster west failed: violet: cannot reach platform ${sim.url}: UNABLE_TO_VERIFY_LEAF_SIGNATURE`,
    );
    expect(sim.store('west').resourceVersion).toBe(before);
  });

  it('reports a violet that cannot be started or does not finish in time, without the command line', async () => {
    // Act
    const missing = await pushFailure(uploader({ violet: join(dir, 'no-violet') }).push(PACKAGE_3162, WEST));
    const slow = await pushFailure(uploader({ timeoutMs: 1 }).push(PACKAGE_3162, WEST));

    // Assess: a missing violet ends the job; a push whose answer was lost is a wait
    expect(missing).not.toBeInstanceOf(TransientError);
    expect(missing.message).toBe(
      `violet push to cluster west failed: cannot run ${join(dir, 'no-violet')}: ENOENT`,
    );
    expect(slow).toBeInstanceOf(TransientError);
    expect(slow.message).toBe(
      'violet push to cluster west failed: no answer within 1 ms (violet was stopped); whether it landed is checked on the cluster before pushing again',
    );
    expect(slow.message).not.toContain(TOKEN);
  });

  it('tells a platform that is down (refused connection, 503) from a refused push', async () => {
    // Prepare: a port nobody listens on, and a platform gateway answering 503
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const refusedAt = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unavailable = createServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('upstream connect error');
    });
    await new Promise<void>((resolve) => unavailable.listen(0, '127.0.0.1', resolve));
    const at = (address: string) =>
      new VioletUploader({
        violet: VIOLET,
        timeoutMs: 20_000,
        target: async (cluster) => ({ address, token: TOKEN, cluster: cluster.name }),
      });

    // Act
    const refused = await pushFailure(at(refusedAt).push(PACKAGE_3162, WEST));
    const down = await pushFailure(
      at(`http://127.0.0.1:${(unavailable.address() as AddressInfo).port}`).push(PACKAGE_3162, WEST),
    );
    const badToken = await pushFailure(uploader({ token: 'wrong-token-1234' }).push(PACKAGE_3162, WEST));
    await new Promise<void>((resolve) => unavailable.close(() => resolve()));

    // Assess
    expect(refused).toBeInstanceOf(TransientError);
    expect(refused.message).toContain('ECONNREFUSED');
    expect(down).toBeInstanceOf(TransientError);
    expect(down.message).toContain('answered 503');
    expect(badToken).not.toBeInstanceOf(TransientError);
    expect(badToken.code).toBe('UPLOAD_FAILED');
  });
});
