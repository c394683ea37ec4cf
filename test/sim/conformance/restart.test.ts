/**
 * `redis-upgrader sim --state-dir`: a simulator killed with SIGKILL and started again on the same
 * state dir comes back on the same URL, trusted by the kubeconfig and CA it wrote before, with its
 * objects, resourceVersions that go on increasing, and 410 for watches from before the restart.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchTrusting } from '#adapters/local/fetch-trusting.ts';
import { CLI, readyLine } from '#test/chaos/support/serve-process.ts';
import { expectStatus, SUBSCRIPTIONS, subscription } from '#test/sim/api/sim-api-fixture.ts';

interface Ready {
  kubeconfig: string;
  certificateAuthorityFile: string;
  platforms: { url: string; token: string; clusters: string[] }[];
}

describe('a simulator restarted on its state dir', () => {
  let dir: string;
  let child: ChildProcess | undefined;

  async function start(): Promise<Ready> {
    const args = [
      'sim',
      '--clusters',
      '2',
      '--json',
      '--state-dir',
      join(dir, 'state'),
      '--kubeconfig-out',
      join(dir, 'kubeconfig'),
    ];
    child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    return readyLine<Ready>(child, 'redis-upgrader sim', (v) => typeof v.kubeconfig === 'string');
  }

  async function kill(): Promise<void> {
    const exited = once(child as ChildProcess, 'exit');
    child?.kill('SIGKILL');
    await exited;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sim-restart-'));
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) await kill();
    await rm(dir, { recursive: true, force: true });
  });

  it('comes back after SIGKILL with its objects, URL and CA, resourceVersions increasing', async () => {
    // Prepare: a first run, one write, a watch position, then SIGKILL
    const first = await start();
    const kc = new KubeConfig();
    kc.loadFromFile(first.kubeconfig);
    kc.setCurrentContext('cluster-02');
    const written = (await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      ...SUBSCRIPTIONS,
      body: subscription('kept', { channel: 'v4' }),
    })) as { metadata: { uid: string; resourceVersion: string } };
    const caBefore = await readFile(first.certificateAuthorityFile, 'utf8');
    await kill();

    // Act: a second run on the same state dir, reached with the kubeconfig of the first
    const second = await start();
    const api = kc.makeApiClient(CustomObjectsApi);
    const kept = (await api.getNamespacedCustomObject({ ...SUBSCRIPTIONS, name: 'kept' })) as {
      metadata: { uid: string; resourceVersion: string };
      spec: { channel: string };
    };
    const next = (await api.createNamespacedCustomObject({
      ...SUBSCRIPTIONS,
      body: subscription('after'),
    })) as {
      metadata: { resourceVersion: string };
    };
    const platform = second.platforms[0] as Ready['platforms'][number];
    const stale = await fetchTrusting(caBefore)(
      `${platform.url}/kubernetes/cluster-02${'/apis/operators.coreos.com/v1alpha1/namespaces/redis-system/subscriptions'}?watch=true&resourceVersion=1`,
      { headers: { Authorization: `Bearer ${platform.token}` } },
    );
    const missing = await expectStatus(() =>
      api.getNamespacedCustomObject({ ...SUBSCRIPTIONS, name: 'never' }),
    );

    // Assess
    expect(platform.url).toBe(first.platforms[0]?.url);
    expect(await readFile(second.certificateAuthorityFile, 'utf8')).toBe(caBefore);
    // The simulated OLM may have written the subscription's status since: never an older version.
    expect(kept.metadata.uid).toBe(written.metadata.uid);
    expect(Number(kept.metadata.resourceVersion)).toBeGreaterThanOrEqual(
      Number(written.metadata.resourceVersion),
    );
    expect(kept.spec.channel).toBe('v4');
    expect(Number(next.metadata.resourceVersion)).toBeGreaterThan(Number(kept.metadata.resourceVersion));
    expect(JSON.parse((await stale.text()).trim())).toMatchObject({
      type: 'ERROR',
      object: { code: 410, reason: 'Expired' },
    });
    expect(missing.code).toBe(404);
  });

  it('refuses a second simulator on a state dir in use', async () => {
    // Act: the simulator of the first case still runs
    const args = [
      'sim',
      '--clusters',
      '1',
      '--state-dir',
      join(dir, 'state'),
      '--kubeconfig-out',
      join(dir, 'other'),
    ];
    const other = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    other.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = (await once(other, 'exit')) as [number];

    // Assess
    expect(code).toBe(2);
    expect(stderr).toBe(`error: state dir ${join(dir, 'state')} is in use by another simulator\n`);
  });
});
