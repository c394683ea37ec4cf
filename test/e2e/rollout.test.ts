/**
 * A fleet rollout end to end: the HTTP API of the local runtime, the rollout consumer woken by
 * job ends (sent by the stage that ends one) and its own timers, the stage workers, the kube adapter and the
 * violet shim against 12 simulated clusters, with every queue message delivered twice. A
 * rehearsal first, which must change nothing on any cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchEvent } from '#domain/rollout/batch-events.ts';
import type { JobList } from '#shared/http/api-replies.ts';
import type { BatchViewReply, RehearsalReply } from '#shared/http/batch-replies.ts';
import { type E2eFleet, startE2eFleet } from './support/e2e-fleet.ts';
import { type E2eRuntime, startE2eRuntime } from './support/e2e-runtime.ts';

// One patch hop each: every push is a violet process, the costly part of a run on this machine.
const FROM = { installedVersion: '4.1.1' };
const ROLES: Record<string, object> = {
  canary: FROM,
  ...Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`healthy${i + 1}`, FROM])),
  // Already on the target: their jobs succeed at validate, and the re-check still reads them.
  ...Object.fromEntries(
    Array.from({ length: 3 }, (_, i) => [`current${i + 1}`, { installedVersion: '4.1.2' }]),
  ),
  failing: { ...FROM, failInstall: true },
  stale: { ...FROM, backupAge: '3d' },
};

let env: E2eFleet;
let runtime: E2eRuntime;
let names: string[];

beforeAll(async () => {
  env = await startE2eFleet(ROLES);
  runtime = await startE2eRuntime(env, { duplicateEveryMessage: true });
  names = Object.keys(ROLES).map((role) => env.name(role));
  for (const name of names) await runtime.register(name);
});

afterAll(async () => {
  await runtime?.stop();
  await env?.stop();
});

const request = {
  targetVersion: '4.1.2',
  clusters: () => names,
  strategy: { canary: 1, waveSize: '50%', bakeSeconds: 1, failureBudget: { maxFailed: 1 } },
};

/** Generous: on a loaded 2-core machine each violet push is a Node process that competes for CPU. */
async function finished(id: string, timeoutMs = 90_000): Promise<BatchViewReply> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await runtime.request('GET', `/batches/${id}`);
    const batch = body as BatchViewReply;
    if (batch.finishedAt) return batch;
    if (Date.now() > deadline) {
      const jobs = (await runtime.request('GET', `/upgrades?batch=${id}`)).body as JobList;
      const states = jobs.items
        .map((job) => `${job.cluster}:${job.state} (${job.waitingFor ?? ''})`)
        .join('; ');
      throw new Error(`batch ${id} is still ${batch.state}: ${batch.reason} (jobs: ${states})`);
    }
    await new Promise((wake) => setTimeout(wake, 50));
  }
}

describe('a fleet rollout on the simulator', () => {
  it('rehearses without changing anything, then rolls out wave by wave, starting no cluster twice', async () => {
    // Prepare
    const body = { ...request, clusters: request.clusters() };
    const before = names.map((name) => JSON.stringify(env.fleet.clusterLedger(name)));
    // Act: the rehearsal
    const dryRun = await runtime.request('POST', '/batches', { ...body, dryRun: true });
    // Assess
    expect(dryRun.status).toBe(200);
    const rehearsal = dryRun.body as RehearsalReply;
    const rehearsed = rehearsal.waves.flatMap((wave) => wave.clusters);
    expect(rehearsed.find((c) => c.name === env.name('stale'))?.blocked).toMatch(
      /backups are not recent enough/,
    );
    expect(rehearsed.find((c) => c.name === env.name('canary'))).toMatchObject({
      installedVersion: '4.1.1',
      hops: [{ from: '4.1.1', to: '4.1.2' }],
    });
    expect(names.map((name) => JSON.stringify(env.fleet.clusterLedger(name)))).toEqual(before);
    const installed = Object.keys(ROLES).map((role) => env.subscription(role).status);
    expect(installed).toEqual(
      Object.keys(ROLES).map((role) =>
        expect.objectContaining({
          installedCSV: `redis-operator.v${role.startsWith('current') ? '4.1.2' : '4.1.1'}`,
        }),
      ),
    );
    expect((await runtime.request('GET', '/batches')).body).toEqual({ items: [] });

    // Act: the rollout
    const created = await runtime.request('POST', '/batches', body);
    expect(created.status).toBe(202);
    const batch = await finished((created.body as BatchViewReply).id);

    // Assess: every cluster terminal, as expected
    expect(batch.state).toBe('completed-with-failures');
    expect(batch.counts).toMatchObject({ succeeded: 10, failed: 1, blocked: 1 });
    expect(batch.failures).toEqual({ counted: 1, tolerated: 1 });
    // Waves in order: each started once the one before it was baked and re-checked.
    expect(batch.waves.map((wave) => [wave.label, wave.clusters.length, wave.state])).toEqual([
      ['canary', 1, 'completed'],
      ['wave 2', 6, 'completed'],
      ['wave 3', 5, 'completed'],
    ]);
    for (const wave of batch.waves.slice(1)) {
      const previous = batch.waves[wave.index - 1];
      expect(Date.parse(wave.startedAt ?? '')).toBeGreaterThanOrEqual(
        Date.parse(previous?.completedAt ?? ''),
      );
      expect(
        Date.parse(previous?.completedAt ?? '') - Date.parse(previous?.jobsDoneAt ?? ''),
      ).toBeGreaterThanOrEqual(1000);
    }
    // None started twice: one job per cluster, one upload per version on each upgraded cluster.
    const jobs = (await runtime.request('GET', `/upgrades?batch=${batch.id}`)).body as JobList;
    expect(jobs.items.map((job) => job.cluster).sort()).toEqual([...names].sort());
    for (const role of Object.keys(ROLES).filter((r) => r !== 'failing' && r !== 'stale')) {
      const pushed = role.startsWith('current') ? {} : { 'redis-operator.v4.1.2': 1 };
      expect(Object.fromEntries(env.counters(role).uploads), role).toEqual(pushed);
      expect(env.subscription(role).status).toMatchObject({ installedCSV: 'redis-operator.v4.1.2' });
    }
    const events = (await runtime.request('GET', `/batches/${batch.id}/events`)).body as {
      items: BatchEvent[];
    };
    expect(events.items.filter((e) => e.type === 'wave.started').map((e) => e.wave)).toEqual([0, 1, 2]);
    expect(events.items.at(-1)?.type).toBe('batch.completed');
    expect(runtime.duplicatedMessages()).toBeGreaterThan(0);
  }, 120_000);
});
