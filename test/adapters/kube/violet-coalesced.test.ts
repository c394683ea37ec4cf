/**
 * Pushes of one package to clusters of one platform go as one `violet push --clusters a,b,c`
 * (the shim against the platform's upload endpoint): one upload reaches every cluster. A shared
 * push that fails for one cluster does not end the others: each is told to check its cluster,
 * and the cluster it did not reach gets violet's verdict from a push of its own.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlatformTarget } from '#adapters/kube/kube-cluster-gateway.ts';
import { VioletUploader } from '#adapters/kube/violet-uploader.ts';
import { TransientError, UpgraderError } from '#domain/errors.ts';
import type { ClusterRecord } from '#shared/ports.ts';
import { type KubeSim, PACKAGES, startKubeSim, TOKEN, VIOLET } from './support/kube-sim.ts';

const PACKAGE_3162 = join(PACKAGES, 'redis-operator.stable.ALL.v3.16.2.tgz');
const ARTIFACT_VERSION = 'redis-operator.v3.16.2';
const record = (name: string): ClusterRecord => ({ name, labels: {} });

describe('coalesced violet pushes', () => {
  let sim: KubeSim;

  beforeAll(async () => {
    sim = await startKubeSim();
    for (const name of ['a1', 'a2', 'a3', 'b1', 'b2']) sim.addCluster(name);
    sim.failingUploads.add('b2');
  });
  afterAll(async () => {
    await sim.close();
  });

  const uploader = () =>
    new VioletUploader({
      violet: VIOLET,
      timeoutMs: 60_000,
      // A generous window: the three pushes below must meet whatever the machine's load.
      groups: { gatherMs: 2_000 },
      target: async (cluster): Promise<PlatformTarget> => ({
        address: sim.url,
        token: TOKEN,
        cluster: cluster.name,
        certificateAuthority: sim.ca,
      }),
    });

  const reason = (cluster: string) => sim.client(cluster).readArtifactVersionReason(ARTIFACT_VERSION);

  it('uploads the package once for the clusters that push it together', async () => {
    // Prepare
    const violet = uploader();
    const before = sim.traffic().uploads;

    // Act
    await Promise.all(['a1', 'a2', 'a3'].map((name) => violet.push(PACKAGE_3162, record(name))));

    // Assess
    expect(sim.traffic().uploads - before).toBe(1);
    for (const name of ['a1', 'a2', 'a3']) expect(await reason(name)).toBe('Success');
  });

  it('attributes a failure of a shared push to the cluster it hit', async () => {
    // Prepare
    const violet = uploader();
    const before = sim.traffic().uploads;

    // Act: b1 and b2 push together; the push does not reach b2.
    const shared = await Promise.allSettled(
      ['b1', 'b2'].map((name) => violet.push(PACKAGE_3162, record(name))),
    );
    const alone = await violet.push(PACKAGE_3162, record('b2')).then(
      () => undefined,
      (error: unknown) => error,
    );

    // Assess: both were told to look at their cluster; b1's push landed, b2's own push fails for good.
    for (const outcome of shared) {
      expect(outcome.status).toBe('rejected');
      const error = (outcome as PromiseRejectedResult).reason;
      expect(error).toBeInstanceOf(TransientError);
      expect(error.message).toMatch(/^violet push to clusters b1, b2 failed: .*shared by 2 clusters/);
    }
    expect(await reason('b1')).toBe('Success');
    expect(await reason('b2')).toBeUndefined();
    expect(alone).toBeInstanceOf(UpgraderError);
    expect(alone).not.toBeInstanceOf(TransientError);
    expect((alone as UpgraderError).message).toMatch(
      /^violet push to cluster b2 failed: violet: push failed for cluster\(s\): b2$/,
    );
    expect(sim.traffic().uploads - before).toBe(2);
  });
});
