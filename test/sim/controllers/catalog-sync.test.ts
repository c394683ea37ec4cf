import { afterEach, describe, expect, it } from 'vitest';
import { ARTIFACT_VERSION, PACKAGE_MANIFEST } from '#sim/resource-types.ts';
import {
  clusterSpec,
  offeredCsvs,
  type RunningCluster,
  runCluster,
  settle,
  uploadVersion,
  waitFor,
} from '#test/sim/controllers/controller-fixture.ts';

let cluster: RunningCluster | undefined;
afterEach(() => {
  expect(cluster?.errors ?? []).toEqual([]);
  cluster?.stop();
  cluster = undefined;
});

describe('catalog sync', () => {
  it('offers an uploaded version only after syncDelayMs (scaled by the clock speed)', async () => {
    // Prepare: 15 simulated minutes at speed 1800 = 500 real ms (a loaded machine's timers fire
    // tens of milliseconds late, so the look before the sync keeps 400 ms from it)
    cluster = runCluster(clusterSpec({ syncDelayMs: 15 * 60_000 }), { speed: 1800 });
    const { store } = cluster;
    const started = Date.now();

    // Act
    uploadVersion(store, '3.18.2');

    // Assess
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(offeredCsvs(store)).toEqual(['redis-operator.v3.16.2']);
    await waitFor(() => offeredCsvs(store).includes('redis-operator.v3.18.2'), 'the new entry', 5000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(495);
    const manifest = store.get(PACKAGE_MANIFEST, 'cpaas-system', 'redis-operator');
    expect(manifest?.status).toMatchObject({
      channels: [
        {
          name: 'stable',
          currentCSV: 'redis-operator.v3.18.2',
          entries: [
            { name: 'redis-operator.v3.18.2', version: '3.18.2' },
            { name: 'redis-operator.v3.16.2', version: '3.16.2' },
          ],
        },
      ],
    });
  });

  it("adds a version to its ArtifactVersion's channel, creating the channel if the catalog lacks it", async () => {
    // Prepare
    cluster = runCluster(clusterSpec({ installedVersion: '4.2.1' }));

    // Act
    uploadVersion(cluster.store, '5.0.0', 'stable-v5');

    // Assess
    await waitFor(() => offeredCsvs(cluster?.store as never, 'stable-v5').length > 0, 'stable-v5');
    expect(offeredCsvs(cluster.store, 'stable-v5')).toEqual(['redis-operator.v5.0.0']);
    expect(offeredCsvs(cluster.store, 'stable')).toEqual(['redis-operator.v4.2.1']);
  });

  it('ignores an ArtifactVersion that has not reached Success', async () => {
    // Prepare
    cluster = runCluster(clusterSpec({ syncDelayMs: 0 }));

    // Act
    cluster.store.create(ARTIFACT_VERSION, {
      apiVersion: 'app.alauda.io/v1alpha1',
      kind: 'ArtifactVersion',
      metadata: { name: 'redis-operator.v3.18.2', namespace: 'cpaas-system' },
      spec: { present: true, tag: 'v3.18.2' },
    });
    await settle();

    // Assess
    expect(offeredCsvs(cluster.store)).toEqual(['redis-operator.v3.16.2']);
  });

  it('keeps the head on the newest version when an older one syncs later', async () => {
    // Prepare
    cluster = runCluster(clusterSpec());
    uploadVersion(cluster.store, '4.0.1');
    await waitFor(() => offeredCsvs(cluster?.store as never).length === 2, '4.0.1');

    // Act
    uploadVersion(cluster.store, '3.18.2');

    // Assess
    await waitFor(() => offeredCsvs(cluster?.store as never).length === 3, '3.18.2');
    expect(offeredCsvs(cluster.store)).toEqual([
      'redis-operator.v4.0.1',
      'redis-operator.v3.18.2',
      'redis-operator.v3.16.2',
    ]);
  });
});
