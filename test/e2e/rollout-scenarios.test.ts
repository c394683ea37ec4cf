/**
 * The rollout's failure semantics end to end, on one simulated fleet of 52 clusters: a failing
 * canary, an exceeded failure budget, pause/resume, cancel mid-wave, an approval gate, a closed
 * maintenance window, an unreachable cluster, and a larger batch, each a batch over its own
 * clusters, run side by side. Around all of them: every queue message is delivered twice, and
 * the runtime is stopped (its in-flight messages finish, nothing else is kept in memory) and
 * started again on the same data dir three times mid-rollout. The last test checks the whole
 * run: every batch settled, every job terminal, one job per cluster attempt.
 *
 * Cheap by design: one patch hop per cluster; most clusters are never touched (halted, cancelled)
 * or already on the target, so few violet pushes run (grouped per platform); the simulator at its
 * e2e speed, sub-second pipeline waits, a 3 s validate deadline, and cluster calls that retry
 * once, since a stop waits for the calls in flight.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '#domain/job.ts';
import { FINAL_BATCH_STATES } from '#domain/rollout/batch.ts';
import type { BatchViewReply } from '#shared/http/batch-replies.ts';
import { type E2eFleet, startE2eFleet } from './support/e2e-fleet.ts';
import {
  OffsetClock,
  type RestartableRuntime,
  startRestartable,
  until,
} from './support/restartable-runtime.ts';

const FROM = { installedVersion: '4.1.1' };
const TARGET = 'redis-operator.v4.1.2';
/** Role prefix -> cluster count; a role `<prefix><i>` (index from 0), its settings from FLAVOURS. */
const GROUPS = {
  canary: 4,
  budget: 7,
  pause: 3,
  cancel: 8,
  approval: 3,
  window: 2,
  unreachable: 3,
  happy: 22,
};
const FLAVOURS: Record<string, object> = {
  canary0: { failInstall: true },
  budget1: { failInstall: true },
  budget2: { failInstall: true },
  // Already on the target (their jobs end at validate; the re-check still reads them): a large batch for little work.
  ...Object.fromEntries(
    Array.from({ length: 19 }, (_, i) => [`happy${i + 3}`, { installedVersion: '4.1.2' }]),
  ),
  // Installs of ~1 s, so the cancel lands on running jobs.
  ...Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`cancel${i}`, { installTime: '6h' }])),
};
const ROLES = Object.fromEntries(
  Object.entries(GROUPS).flatMap(([group, count]) =>
    Array.from({ length: count }, (_, i) => [`${group}${i}`, { ...FROM, ...FLAVOURS[`${group}${i}`] }]),
  ),
);

let env: E2eFleet;
let rt: RestartableRuntime;
const clock = new OffsetClock();
const created: string[] = [];
let restarts: Promise<void>;

const roles = (group: keyof typeof GROUPS) => Array.from({ length: GROUPS[group] }, (_, i) => `${group}${i}`);
const names = (group: keyof typeof GROUPS) => roles(group).map((role) => env.name(role));

beforeAll(async () => {
  env = await startE2eFleet(ROLES);
  rt = await startRestartable(env, {
    duplicateEveryMessage: true,
    clock,
    clusterRetry: { retries: 1, minTimeoutMs: 50, maxTimeoutMs: 200 },
    env: { REDIS_UPGRADER_DEADLINE_VALIDATE_SECONDS: '3', REDIS_UPGRADER_ROLLOUT_POLL_SECONDS: '1' },
  });
  const runtime = await rt.current();
  await Promise.all(Object.keys(ROLES).map((role) => runtime.register(env.name(role))));
  // Nothing runs yet: move the clock to 8 s before a minute starts, when the window test's window
  // opens. With 5 s, a full suite at load 5 once saw the batch's first decision after the opening.
  const now = Date.now();
  clock.offsetMs = Math.ceil((now + 8000) / 60_000) * 60_000 - 8000 - now;
  restarts = (async () => {
    for (const at of [1500, 2500, 3000]) {
      await new Promise((wake) => setTimeout(wake, at));
      await rt.restart();
    }
  })();
}, 60_000);

afterAll(async () => {
  await restarts?.catch(() => undefined);
  await rt?.stop();
  await env?.stop();
});

async function start(group: keyof typeof GROUPS, strategy: object): Promise<string> {
  const body = { targetVersion: '4.1.2', clusters: names(group), strategy };
  const { status, body: reply } = await rt.request('POST', '/batches', body);
  if (status !== 202) throw new Error(`POST /batches (${group}): ${status} ${JSON.stringify(reply)}`);
  const id = (reply as BatchViewReply).id;
  created.push(id);
  return id;
}

async function command(id: string, kind: string, body: object = {}): Promise<void> {
  const { status, body: reply } = await rt.request('POST', `/batches/${id}/${kind}`, body);
  if (status !== 202) throw new Error(`POST /batches/${id}/${kind}: ${status} ${JSON.stringify(reply)}`);
}

const summary = (b: BatchViewReply) =>
  `${b.state} (${b.reason}): ${b.waves.flatMap((w) => w.clusters.map((c) => `${c.name}=${c.state}${c.reason ? ` (${c.reason})` : ''}`)).join(' ')}`;

function waitBatch(id: string, what: string, done: (b: BatchViewReply) => boolean, timeoutMs = 30_000) {
  return until(`batch ${id} ${what}`, () => rt.batch(id), done, timeoutMs, summary);
}

const finished = (id: string) => waitBatch(id, 'to finish', (b) => b.finishedAt !== undefined);
const clustersOf = (b: BatchViewReply) => b.waves.flatMap((wave) => wave.clusters);
const byName = (b: BatchViewReply) => new Map(clustersOf(b).map((c) => [c.name, c]));
const TERMINAL_JOB = new Set(['succeeded', 'failed', 'blocked', 'cancelled']);
const allJobsEnded = async (id: string) => (await rt.jobsOf(id)).every((job) => TERMINAL_JOB.has(job.state));

/** Nothing was done to the cluster: no approval, no upload, the old CSV. */
function expectUntouched(role: string): void {
  expect(env.counters(role).approvals, role).toBe(0);
  expect(Object.fromEntries(env.counters(role).uploads), role).toEqual({});
  expect(env.subscription(role).status, role).toMatchObject({ installedCSV: 'redis-operator.v4.1.1' });
}

/** Upgraded once: one upload, one approval, the new CSV. */
function expectUpgradedOnce(role: string): void {
  expect(env.counters(role).approvals, role).toBe(1);
  expect(Object.fromEntries(env.counters(role).uploads), role).toEqual({ [TARGET]: 1 });
  expect(env.subscription(role).status, role).toMatchObject({ installedCSV: TARGET });
}

/** The batch's jobs per cluster, oldest first. */
async function jobsByCluster(id: string): Promise<Map<string, Job[]>> {
  const jobs = (await rt.jobsOf(id)).sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  return Map.groupBy(jobs, (job) => job.cluster);
}

describe('rollout scenarios on a 52-cluster simulated fleet, every message twice, three restarts', {
  timeout: 60_000,
}, () => {
  it.concurrent('halts when the canary fails, before wave 2, with nothing done to the rest', async () => {
    const id = await start('canary', { canary: 1, waveSize: '50%' });
    const batch = await waitBatch(id, 'to halt', (b) => b.state === 'halted');
    await until(`the jobs of ${id} to end`, () => allJobsEnded(id), Boolean);
    expect(batch.halt?.clusters).toEqual([env.name('canary0')]);
    expect(clustersOf(batch).map((c) => c.state)).toEqual(['failed', 'pending', 'pending', 'pending']);
    expect([...(await jobsByCluster(id)).keys()]).toEqual([env.name('canary0')]);
    for (const role of roles('canary').slice(1)) expectUntouched(role);
  });

  it.concurrent('halts once the failure budget is exceeded; the running jobs finish, later waves never start', async () => {
    const id = await start('budget', { canary: 1, waveSize: 3, failureBudget: { maxFailed: 1 } });
    const batch = await waitBatch(id, 'to halt', (b) => b.state === 'halted');
    await until(`the jobs of ${id} to end`, () => allJobsEnded(id), Boolean);
    // The batch records a job's end at the rollout's next decision, not with the job.
    const recorded = await waitBatch(id, "to record its jobs' ends", (b) =>
      clustersOf(b).every((c) => c.state !== 'starting' && c.state !== 'started'),
    );
    const after = byName(recorded);
    expect(batch.halt?.clusters.sort()).toEqual([env.name('budget1'), env.name('budget2')]);
    expect(['budget1', 'budget2'].map((r) => after.get(env.name(r))?.state)).toEqual(['failed', 'failed']);
    expect(['upgraded', 'succeeded']).toContain(after.get(env.name('budget3'))?.state);
    expectUpgradedOnce('budget3');
    for (const role of ['budget4', 'budget5', 'budget6']) {
      expect(after.get(env.name(role))?.state).toBe('pending');
      expectUntouched(role);
    }
  });

  it.concurrent('pauses: no new job starts until resumed, then completes', async () => {
    const id = await start('pause', { canary: 1, waveSize: 2 });
    await command(id, 'pause');
    await waitBatch(id, 'to pause', (b) => b.state === 'paused');
    await until(`the jobs of ${id} to end`, () => allJobsEnded(id), Boolean);
    await new Promise((wake) => setTimeout(wake, 1500));
    const paused = await rt.batch(id);
    const startedWhilePaused = (await rt.jobsOf(id)).length;
    await command(id, 'resume');
    const done = await finished(id);
    expect(paused.state).toBe('paused');
    expect(startedWhilePaused).toBeLessThanOrEqual(1);
    expect(done.state, summary(done)).toBe('succeeded');
    for (const role of roles('pause')) expectUpgradedOnce(role);
  });

  it.concurrent('cancels mid-wave: running jobs end, nothing starts after, the next wave is untouched', async () => {
    const id = await start('cancel', { waveSize: 4, maxConcurrency: 2 });
    await until(
      `a job of ${id} to run`,
      () => rt.jobsOf(id),
      (jobs) => jobs.some((j) => !TERMINAL_JOB.has(j.state)),
    );
    await command(id, 'cancel');
    const batch = await finished(id);
    const jobs = await jobsByCluster(id);
    expect(batch.state).toBe('cancelled');
    expect(clustersOf(batch).every((c) => ['cancelled', 'succeeded', 'upgraded'].includes(c.state))).toBe(
      true,
    );
    expect(batch.waves[1]?.clusters.map((c) => c.state)).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
    for (const role of roles('cancel').slice(4)) {
      expect(jobs.has(env.name(role)), role).toBe(false);
      expectUntouched(role);
    }
    expect(await allJobsEnded(id)).toBe(true);
  });

  it.concurrent('waits for approval after the canary, starting nothing else until approved', async () => {
    const id = await start('approval', { canary: 1, approval: 'after-canary' });
    const waiting = await waitBatch(id, 'to await approval', (b) => b.state === 'awaiting-approval');
    const jobsWhileWaiting = [...(await jobsByCluster(id)).keys()];
    await command(id, 'approve');
    const done = await finished(id);
    expect(jobsWhileWaiting).toEqual([env.name('approval0')]);
    expect(
      clustersOf(waiting).filter((c) => c.state === 'pending'),
      summary(waiting),
    ).toHaveLength(2);
    expect(done.state, summary(done)).toBe('succeeded');
    for (const role of roles('approval')) expectUpgradedOnce(role);
  });

  it.concurrent('waits outside its maintenance window, then starts when it opens', async () => {
    const opens = new Date(Math.ceil(clock.now().getTime() / 60_000) * 60_000);
    const hhmm = (d: Date) => d.toISOString().slice(11, 16);
    const window = {
      days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
      start: hhmm(opens),
      end: hhmm(new Date(opens.getTime() + 3_600_000)),
      timeZone: 'UTC',
    };
    const id = await start('window', { window });
    const outside = await waitBatch(id, 'to wait for its window', (b) => b.state === 'outside-window');
    const jobsBefore = (await rt.jobsOf(id)).length;
    const done = await finished(id);
    expect(outside.windowOpensAt).toBe(opens.toISOString());
    expect(jobsBefore).toBe(0);
    expect(done.state, summary(done)).toBe('succeeded');
    const firstJob = Math.min(...(await rt.jobsOf(id)).map((job) => Date.parse(job.createdAt)));
    expect(firstJob).toBeGreaterThanOrEqual(opens.getTime());
    for (const role of roles('window')) expectUpgradedOnce(role);
  });

  it.concurrent('defers a cluster unreachable at validate to the end and retries it', async () => {
    const down = env.name('unreachable0');
    env.fleet.setFaults(down, { error500Rate: 1 });
    const strategy = { unreachable: { mode: 'defer', retries: 2, retryDelaySeconds: 1 } };
    const id = await start('unreachable', strategy);
    await until(
      `${down}'s first job to be given up as unreachable`,
      () => jobsByCluster(id),
      (jobs) => jobs.get(down)?.[0]?.state === 'blocked',
    );
    env.fleet.setFaults(down, {});
    const done = await finished(id);
    const jobs = (await jobsByCluster(id)).get(down) ?? [];
    expect(done.state, summary(done)).toBe('succeeded');
    expect(byName(done).get(down)).toMatchObject({ state: 'succeeded', attempt: 2 });
    expect(done.waves.map((wave) => wave.kind)).toEqual(['wave', 'retry']);
    // The others did not wait for it.
    const others = [...(await jobsByCluster(id)).entries()].filter(([name]) => name !== down);
    expect(others).toHaveLength(2);
    for (const [, [job]] of others)
      expect(Date.parse(job?.createdAt ?? '')).toBeLessThan(Date.parse(jobs[1]?.createdAt ?? ''));
    expect(jobs.map((job) => [job.state, 'unreachable' in job ? job.unreachable : undefined])).toEqual([
      ['blocked', true],
      ['succeeded', undefined],
    ]);
    for (const role of roles('unreachable')) expectUpgradedOnce(role);
  });

  it.concurrent('rolls a larger batch out wave by wave with bakes, re-checking the clusters already current', async () => {
    const id = await start('happy', { canary: 1, waveSize: '50%', maxConcurrency: 4, bakeSeconds: 1 });
    const done = await finished(id);
    expect(done.state, summary(done)).toBe('succeeded');
    expect(done.waves.map((wave) => wave.label)).toEqual(['canary', 'wave 2', 'wave 3']);
    expect(done.waves.map((wave) => wave.clusters.length).reduce((a, b) => a + b)).toBe(GROUPS.happy);
    for (const wave of done.waves.slice(1)) {
      const previous = done.waves[wave.index - 1];
      expect(Date.parse(wave.startedAt ?? '')).toBeGreaterThanOrEqual(
        Date.parse(previous?.completedAt ?? ''),
      );
    }
    for (const role of roles('happy').slice(0, 3)) expectUpgradedOnce(role);
    for (const role of roles('happy').slice(3)) {
      expect(env.counters(role).approvals, role).toBe(0);
      expect(env.subscription(role).status, role).toMatchObject({ installedCSV: TARGET });
    }
  });

  it('ended with every batch settled, every job terminal, no cluster started twice, through 3 restarts', async () => {
    await restarts;
    expect(rt.restarts()).toBe(3);
    expect(rt.duplicatedMessages()).toBeGreaterThan(0);
    expect(created).toHaveLength(Object.keys(GROUPS).length);
    for (const id of created) {
      const batch = await rt.batch(id);
      expect([...FINAL_BATCH_STATES, 'halted']).toContain(batch.state);
      const jobs = await jobsByCluster(id);
      for (const cluster of clustersOf(batch)) {
        // One job per attempt: a duplicated or replayed start never created a second one.
        expect(jobs.get(cluster.name)?.length ?? 0, cluster.name).toBe(cluster.attempt);
      }
      expect(await allJobsEnded(id)).toBe(true);
    }
  });
});
