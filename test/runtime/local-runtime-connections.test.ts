/**
 * The local runtime's own way to its clusters (kubeconfig contexts, kept-alive connection pools)
 * against the simulated platform: a stopped runtime leaves no connection open to any API server.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime } from '#runtime/local-runtime.ts';
import { loadConfig } from '#shared/config.ts';
import { createLogger } from '#shared/logger.ts';
import { kubeconfigFor } from '#sim/kubeconfig.ts';
import { clusterSpec, type KubeSim, startKubeSim, TOKEN } from '#test/adapters/kube/support/kube-sim.ts';
import { useTempDirs } from '#test/adapters/local/support/temp-dir.ts';
import { testCatalog } from '#test/fakes/catalog.ts';
import { FakePackageUploader } from '#test/fakes/package-uploader.ts';

const API_TOKEN = 'runtime-connections-token-0123456789';
const tempDir = useTempDirs();

describe('the local runtime and its Kubernetes connections', () => {
  let sim: KubeSim;

  beforeAll(async () => {
    sim = await startKubeSim();
    sim.addCluster('east', clusterSpec());
  });
  afterAll(async () => {
    await sim.close();
  });

  it('closes every connection to the API servers when it stops', async () => {
    // Prepare: a runtime that reached the cluster through its kubeconfig (a validate's reads)
    const dir = await tempDir();
    const kubeconfig = join(dir, 'kubeconfig');
    const platform = { name: 'platform', url: sim.url, token: TOKEN, clusters: ['east'] };
    await writeFile(kubeconfig, JSON.stringify(kubeconfigFor([platform], sim.ca)));
    const config = loadConfig({
      REDIS_UPGRADER_DATA_DIR: join(dir, 'data'),
      REDIS_UPGRADER_PORT: '0',
      REDIS_UPGRADER_API_TOKEN: API_TOKEN,
      REDIS_UPGRADER_KUBECONFIG: kubeconfig,
      REDIS_UPGRADER_POLL_INTERVAL_MS: '50',
    });
    const runtime = await startLocalRuntime(config, {
      catalog: testCatalog(),
      clusterAccess: { uploader: new FakePackageUploader() },
      log: createLogger({ level: 'SILENT' }),
    });
    const call = (method: string, path: string, body: unknown) =>
      fetch(`${runtime.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    try {
      await call('PUT', '/clusters/east', {});
      await call('POST', '/upgrades', { cluster: 'east', targetVersion: '4.2.1' });
      await expect.poll(() => sim.requestsTo('east').length).toBeGreaterThan(0);
    } finally {
      // Act
      await runtime.stop();
    }
    // Assess: the server keeps an idle connection 30 s; the runtime must close its own
    await expect.poll(() => sim.traffic().connections.open, { timeout: 2_000 }).toBe(0);
    expect(sim.traffic().connections.accepted).toBeGreaterThan(0);
  });
});
