import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobEvent } from '#domain/job-event.ts';
import { type LocalRuntime, startLocalRuntime } from '#runtime/local-runtime.ts';
import { loadConfig } from '#shared/config.ts';
import type { JobView } from '#shared/http/api-replies.ts';
import { createLogger } from '#shared/logger.ts';
import { useTempDirs } from '#test/adapters/local/support/temp-dir.ts';
import { packageBytes, testCatalog } from '#test/fakes/catalog.ts';
import { FakeClock } from '#test/fakes/clock.ts';
import { FakeCluster, FakeClusterGateway } from '#test/fakes/cluster.ts';
import { healthyClusterState } from '#test/fakes/cluster-state.ts';
import type { AnyJob } from '#test/fakes/jobs.ts';
import { FakeOlm } from '#test/fakes/olm.ts';
import { FakePackageUploader } from '#test/fakes/package-uploader.ts';

const TOKEN = 'runtime-test-token-0123456789';
const tempDir = useTempDirs();
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The vendor download site stand-in: serves each catalog file name, counting requests. */
async function mirror(): Promise<{ base: string; requests: string[] }> {
  const catalog = testCatalog();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const entry = catalog.versions.find((v) => req.url?.endsWith(`v${v.version}.tgz`));
    if (!entry) res.writeHead(404).end();
    else res.writeHead(200).end(packageBytes(entry.version));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/downloads/`, requests };
}

interface Fleet {
  gateway: FakeClusterGateway;
  uploader: FakePackageUploader;
  olm: FakeOlm;
}

function fleet(): Fleet {
  const catalog = testCatalog();
  const gateway = new FakeClusterGateway();
  const uploader = new FakePackageUploader();
  const cluster = gateway.add(
    new FakeCluster('region1', healthyClusterState({ installed: '4.0.3', now: new Date() })),
  );
  const olm = new FakeOlm(cluster, catalog);
  uploader.onPush = (push) => olm.pushed(push.file);
  return { gateway, uploader, olm };
}

async function start(
  dataDir: string,
  fake: Fleet,
  mirrorBase: string,
  extra: { env?: Record<string, string>; clock?: FakeClock } = {},
): Promise<LocalRuntime> {
  const config = loadConfig({
    REDIS_UPGRADER_DATA_DIR: dataDir,
    REDIS_UPGRADER_PORT: '0',
    REDIS_UPGRADER_API_TOKEN: TOKEN,
    REDIS_UPGRADER_ARTIFACT_MIRROR: mirrorBase,
    REDIS_UPGRADER_STAGE_POLL_SECONDS: '1',
    REDIS_UPGRADER_POLL_INTERVAL_MS: '50',
    REDIS_UPGRADER_VISIBILITY_TIMEOUT_SECONDS: '5',
    ...extra.env,
  });
  const runtime = await startLocalRuntime(config, {
    catalog: testCatalog(),
    ...(extra.clock ? { clock: extra.clock } : {}),
    clusterAccess: { gateway: fake.gateway, uploader: fake.uploader },
    log: createLogger({ level: 'SILENT' }),
  });
  cleanups.push(runtime.stop);
  return runtime;
}

async function api(
  runtime: LocalRuntime,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${runtime.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function waitForJob(
  runtime: LocalRuntime,
  id: string,
  done: (job: AnyJob) => boolean,
  timeoutMs = 20_000,
): Promise<AnyJob> {
  const start = Date.now();
  for (;;) {
    const job: AnyJob | undefined = await runtime.jobs.get(id);
    if (job && done(job)) return job;
    if (Date.now() - start > timeoutMs)
      throw new Error(`job ${id} still ${job?.state} (${job?.step?.waitingFor ?? ''})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the local runtime', () => {
  it('runs an upgrade from POST /upgrades to succeeded through the stage queues', async () => {
    const dataDir = await tempDir();
    const { base, requests } = await mirror();
    const fake = fleet();
    const runtime = await start(dataDir, fake, base);
    await api(runtime, 'PUT', '/clusters/region1', { labels: { env: 'prod' } });

    const created = (await (
      await api(runtime, 'POST', '/upgrades', { cluster: 'region1', targetVersion: '4.2.1' })
    ).json()) as JobView;
    const job = await waitForJob(runtime, created.id, (j) => j.state === 'succeeded');

    expect(job.plan?.map((hop) => hop.to)).toEqual(['4.2.1']);
    expect(fake.uploader.pushes).toEqual([
      { file: expect.stringMatching(/redis-operator\.stable\.ALL\.v4\.2\.1\.tgz$/), cluster: 'region1' },
    ]);
    expect(requests).toEqual(['/downloads/redis-operator.stable.ALL.v4.2.1.tgz']);
    expect(await readdir(join(dataDir, 'artifacts', 'redis-operator', '4.2.1'))).toContain(
      'redis-operator.stable.ALL.v4.2.1.tgz',
    );
    for (const stage of ['validate', 'check-backup', 'upload-package', 'patch-subscription', 'verify']) {
      expect(runtime.queues.depth(stage)).toEqual({ visible: 0, invisible: 0, deadLetters: 0 });
    }
    // Events are recorded as they are emitted: the last one just after the job's final commit.
    const eventTypes = async () => {
      const events = (await (await api(runtime, 'GET', `/upgrades/${created.id}/events`)).json()) as {
        items: { type: string }[];
      };
      return events.items.map((e) => e.type);
    };
    await expect.poll(eventTypes).toEqual(expect.arrayContaining(['upgrade.queued', 'upgrade.succeeded']));
  });

  it('records job events as they are emitted, in order, once each however often notify gets them too', async () => {
    // Prepare: an upgrade that has ended
    const { base } = await mirror();
    const runtime = await start(await tempDir(), fleet(), base);
    await api(runtime, 'PUT', '/clusters/region1', {});
    const created = (await (
      await api(runtime, 'POST', '/upgrades', { cluster: 'region1', targetVersion: '4.2.1' })
    ).json()) as JobView;
    await waitForJob(runtime, created.id, (j) => j.state === 'succeeded');
    const recorded = async () =>
      ((await (await api(runtime, 'GET', `/upgrades/${created.id}/events`)).json()) as { items: JobEvent[] })
        .items;
    await expect.poll(async () => (await recorded()).at(-1)?.type).toBe('upgrade.succeeded');
    const events = await recorded();
    // Act: the notify queue delivers every event (again)
    for (const event of events) runtime.queues.send('notify', JSON.stringify(event));
    await expect
      .poll(() => runtime.queues.depth('notify'))
      .toEqual({ visible: 0, invisible: 0, deadLetters: 0 });
    // Assess
    expect(events.map((event) => event.type)).toEqual([
      'upgrade.queued',
      'upgrade.validating',
      'upgrade.checking-backup',
      'upgrade.uploading',
      'upgrade.patching',
      'upgrade.verifying',
      'upgrade.succeeded',
    ]);
    expect(await recorded()).toEqual(events);
  });

  it('continues a job from its last committed state after a restart', async () => {
    const dataDir = await tempDir();
    const { base } = await mirror();
    const fake = fleet();
    fake.olm.syncOnPush = false;
    const first = await start(dataDir, fake, base);
    await api(first, 'PUT', '/clusters/region1', {});
    const created = (await (
      await api(first, 'POST', '/upgrades', { cluster: 'region1', targetVersion: '4.2.1' })
    ).json()) as JobView;
    const waiting = await waitForJob(first, created.id, (j) => j.state === 'patching');
    await first.stop();

    fake.olm.offer('stable', 'redis-operator.v4.2.1');
    const second = await start(dataDir, fake, base);
    const job = await waitForJob(second, created.id, (j) => j.state === 'succeeded');

    expect(waiting.version).toBeLessThan(job.version);
    expect(job.transitions.map((t) => t.to)).toEqual([
      'validating',
      'checking-backup',
      'uploading',
      'patching',
      'verifying',
      'succeeded',
    ]);
    expect(fake.uploader.pushes).toHaveLength(1);
    expect(
      fake.gateway.clusters.get('region1')?.writes.filter((w) => w.op === 'approveInstallPlan'),
    ).toHaveLength(1);
  });

  it('ends the watch of a waiting job cancelled over the API, long before its safety net', async () => {
    // Prepare: the catalog will not sync, so the job waits in patching, watched by the cluster
    const { base } = await mirror();
    const fake = fleet();
    fake.olm.syncOnPush = false;
    const watching = new Set<AbortSignal>();
    const watchUntil = (_condition: unknown, signal: AbortSignal) =>
      new Promise<void>((_resolve, reject) => {
        watching.add(signal);
        signal.addEventListener('abort', () => reject(signal.reason));
      });
    Object.assign(fake.gateway.clusters.get('region1') ?? {}, { watchUntil });
    const runtime = await start(await tempDir(), fake, base);
    await api(runtime, 'PUT', '/clusters/region1', {});
    const created = (await (
      await api(runtime, 'POST', '/upgrades', { cluster: 'region1', targetVersion: '4.2.1' })
    ).json()) as JobView;
    await waitForJob(runtime, created.id, (j) => j.state === 'patching');
    const open = () => [...watching].filter((signal) => !signal.aborted).length;
    await expect.poll(open).toBe(1);
    // Act
    const cancel = await api(runtime, 'POST', `/upgrades/${created.id}/cancel`, {});
    // Assess: the safety net is 32 polls away
    expect(cancel.status).toBe(202);
    expect(await runtime.jobs.get(created.id)).toMatchObject({ state: 'cancelled' });
    await expect.poll(open, { timeout: 2_000 }).toBe(0);
  });

  it('refuses to start on a port already taken, leaving nothing running', async () => {
    const dataDir = await tempDir();
    const { base } = await mirror();
    const fake = fleet();
    const first = await start(dataDir, fake, base);
    const port = new URL(first.url).port;

    const config = loadConfig({
      REDIS_UPGRADER_DATA_DIR: await tempDir(),
      REDIS_UPGRADER_PORT: port,
      REDIS_UPGRADER_API_TOKEN: TOKEN,
    });
    const second = startLocalRuntime(config, {
      catalog: testCatalog(),
      clusterAccess: { gateway: fake.gateway, uploader: fake.uploader },
      log: createLogger({ level: 'SILENT' }),
    });

    await expect(second).rejects.toThrow(/EADDRINUSE/);
  });

  it('gives the API its outbound allow-list and Idempotency-Key lifetime from the environment', async () => {
    // Prepare: a clock the test moves
    const clock = new FakeClock();
    const { base } = await mirror();
    const runtime = await start(await tempDir(), fleet(), base, {
      clock,
      env: { REDIS_UPGRADER_OUTBOUND_ALLOW: '127.0.0.1', REDIS_UPGRADER_IDEMPOTENCY_TTL_SECONDS: '60' },
    });
    await api(runtime, 'PUT', '/clusters/region1', {});
    await api(runtime, 'PUT', '/clusters/region2', {});
    const upgrade = (cluster: string, callbackUrl: string, key: string) =>
      api(
        runtime,
        'POST',
        '/upgrades',
        { cluster, targetVersion: '4.2.1', callbackUrl },
        { 'idempotency-key': key },
      );
    // Act
    const refused = await upgrade('region1', 'http://127.0.0.2:9/hook', 'k0');
    const admitted = await upgrade('region1', 'http://127.0.0.1:9/hook', 'k1');
    clock.advance(60);
    const afterExpiry = await upgrade('region2', 'http://127.0.0.1:9/hook', 'k1');
    // Assess
    expect(refused.status).toBe(400);
    expect(admitted.status).toBe(202);
    expect(afterExpiry.status).toBe(202);
    expect(afterExpiry.headers.get('idempotent-replayed')).toBeNull();
  });
});
