/**
 * A release end to end on the simulator (issue 13): a signed release registers a version in the
 * local runtime's catalog file, a rollout policy starts a batch on the clusters its selector
 * picks, they reach the version, and a loopback receiver registered as an endpoint gets the
 * batch's events signed (verified with the library). Kept cheap: three clusters, two selected,
 * one patch hop each (every push is a violet process).
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogEntry } from '#domain/catalog.ts';
import type { JobList } from '#shared/http/api-replies.ts';
import type { BatchViewReply } from '#shared/http/batch-replies.ts';
import { EXAMPLE_CATALOG_PATH } from '#sim/packages/example-packages.ts';
import { type Receiver, startReceiver } from '#test/webhooks/support/receiver.ts';
import { newSigningSecret } from '#usecases/webhook-secret.ts';
import { type E2eFleet, startE2eFleet } from './support/e2e-fleet.ts';
import { type E2eRuntime, startE2eRuntime } from './support/e2e-runtime.ts';

const RELEASED = '4.1.2';
const ROLES = {
  early1: { installedVersion: '4.1.1' },
  early2: { installedVersion: '4.1.1' },
  late: { installedVersion: '4.1.1' },
};
const RELEASE_SECRET = newSigningSecret();
const POLICY = {
  name: 'early-patches',
  versions: '~4.1.0',
  selector: { matchLabels: { ring: 'early' } },
  strategy: { canary: 1 },
};

let env: E2eFleet;
let runtime: E2eRuntime;
let receiver: Receiver;
let entry: CatalogEntry;

beforeAll(async () => {
  env = await startE2eFleet(ROLES);
  // The runtime's catalog lacks the version the release brings.
  const catalog = JSON.parse(await readFile(EXAMPLE_CATALOG_PATH, 'utf8')) as { versions: CatalogEntry[] };
  entry = catalog.versions.find((each) => each.version === RELEASED) as CatalogEntry;
  const catalogPath = join(env.dir, 'catalog.json');
  await copyFile(EXAMPLE_CATALOG_PATH, catalogPath);
  await writeFile(
    catalogPath,
    JSON.stringify({ ...catalog, versions: catalog.versions.filter((each) => each !== entry) }),
  );
  runtime = await startE2eRuntime(env, {
    env: {
      REDIS_UPGRADER_CATALOG: catalogPath,
      REDIS_UPGRADER_RELEASE_SECRETS: RELEASE_SECRET,
      REDIS_UPGRADER_ROLLOUT_POLICIES: JSON.stringify([POLICY]),
      REDIS_UPGRADER_OUTBOUND_ALLOW: '127.0.0.1/32',
      REDIS_UPGRADER_ROLLOUT_POLL_SECONDS: '0.2',
    },
  });
  for (const role of Object.keys(ROLES)) {
    const labels = role.startsWith('early') ? { ring: 'early' } : {};
    const { status } = await runtime.request('PUT', `/clusters/${env.name(role)}`, {
      context: env.name(role),
      labels,
    });
    if (status !== 200 && status !== 201) throw new Error(`PUT /clusters: ${status}`);
  }
  receiver = await startReceiver(204);
});

afterAll(async () => {
  await receiver?.close();
  await runtime?.stop();
  await env?.stop();
});

async function finished(id: string, timeoutMs = 20_000): Promise<BatchViewReply> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const batch = (await runtime.request('GET', `/batches/${id}`)).body as BatchViewReply;
    if (batch.finishedAt) return batch;
    if (Date.now() > deadline) {
      const jobs = (await runtime.request('GET', `/upgrades?batch=${id}`)).body as JobList;
      const states = jobs.items.map(
        (job) => `${job.cluster}:${job.state} (${job.waitingFor ?? job.reason ?? ''})`,
      );
      throw new Error(`batch ${id} is still ${batch.state}: ${batch.reason} (jobs: ${states.join('; ')})`);
    }
    await new Promise((wake) => setTimeout(wake, 50));
  }
}

/** Waits until the receiver got `count` requests (deliveries run on their own queue). */
async function received(count: number, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (receiver.received.length < count && Date.now() < deadline) {
    await new Promise((wake) => setTimeout(wake, 50));
  }
  return receiver.received;
}

describe('a signed release on the simulator', () => {
  it('registers the version, starts the policy’s batch on the clusters it selects, which reach it, and signs the batch’s events to the receiver', async () => {
    // Prepare
    const added = await runtime.request('POST', '/webhooks/endpoints', {
      url: receiver.url,
      events: ['batch.started', 'wave.started', 'wave.completed', 'batch.completed'],
    });
    expect(added.status).toBe(201);
    const { secret } = added.body as { secret: string };
    const body = JSON.stringify(entry);
    const id = 'rel_e2e_1';
    const at = new Date();
    // Act
    const response = await fetch(`${runtime.url}/webhooks/releases`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(RELEASE_SECRET).sign(id, at, body),
      },
      body,
    });
    // Assess
    expect(response.status).toBe(200);
    const outcome = (await response.json()) as {
      rollouts: { policy: string; batchId: string; clusters: number }[];
    };
    expect(outcome).toMatchObject({ action: 'registered', version: RELEASED });
    expect(outcome.rollouts).toEqual([
      { policy: POLICY.name, batchId: expect.any(String), clusters: 2, created: true },
    ]);
    const catalogNow = (await runtime.request('GET', `/plan?from=4.1.1&to=${RELEASED}`)).status;
    expect(catalogNow).toBe(200);
    const batch = await finished(outcome.rollouts[0]?.batchId ?? '');
    expect(batch.state).toBe('succeeded');
    expect(env.subscription('early1').status).toMatchObject({ installedCSV: entry.csv });
    expect(env.subscription('early2').status).toMatchObject({ installedCSV: entry.csv });
    expect(env.counters('late').uploads.size).toBe(0);
    const requests = await received(6);
    const events = requests.map((request) =>
      new Webhook(secret).verify(request.body, request.headers as Record<string, string>),
    ) as { type: string; data: { batchId: string } }[];
    expect(events.map((event) => event.type).sort()).toEqual(
      [
        'batch.started',
        'wave.started',
        'wave.completed',
        'wave.started',
        'wave.completed',
        'batch.completed',
      ].sort(),
    );
    expect(new Set(events.map((event) => event.data.batchId))).toEqual(new Set([batch.id]));
    expect(new Set(requests.map((request) => request.headers['webhook-id'])).size).toBe(6);
  });
});
