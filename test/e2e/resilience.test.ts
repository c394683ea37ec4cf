/**
 * The pipeline's durability and idempotency, end to end: a runtime stopped in the middle of an
 * upgrade and started again on the same data dir finishes the job, and a queue that delivers
 * every message twice causes no second upload and no second approval (counted on the simulator).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AnyJob } from '#test/fakes/jobs.ts';
import { type E2eFleet, startE2eFleet } from './support/e2e-fleet.ts';
import { type E2eRuntime, startE2eRuntime } from './support/e2e-runtime.ts';

const TWO_HOPS = [
  'validating',
  'checking-backup',
  'uploading',
  'patching',
  'verifying',
  'uploading',
  'patching',
  'verifying',
  'succeeded',
];

let env: E2eFleet;
const runtimes: E2eRuntime[] = [];

beforeAll(async () => {
  env = await startE2eFleet({
    // A catalog sync of 6 simulated hours (~1 s) keeps the first hop waiting in `patching`.
    restarted: { syncDelay: '6h' },
    duplicated: {},
  });
});

afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.stop();
});

afterAll(async () => {
  await env?.stop();
});

async function start(options: Parameters<typeof startE2eRuntime>[1] = {}): Promise<E2eRuntime> {
  const runtime = await startE2eRuntime(env, options);
  runtimes.push(runtime);
  return runtime;
}

function expectEachSideEffectOnce(role: string): void {
  expect(env.counters(role).approvals).toBe(2);
  expect(Object.fromEntries(env.counters(role).uploads)).toEqual({
    'redis-operator.v4.0.3': 1,
    'redis-operator.v4.1.2': 1,
  });
}

/** Every copy was delivered and acknowledged: nothing left in a queue, nothing dead-lettered. */
async function expectDrained(runtime: E2eRuntime): Promise<void> {
  const stages = ['validate', 'check-backup', 'upload-package', 'patch-subscription', 'verify'];
  const depths = () => stages.map((stage) => runtime.runtime.queues.depth(stage));
  // A duplicate of a message behind a commit is parked until the next one is overdue (the claim lease, 5 s here).
  await expect
    .poll(depths, { timeout: 10_000, message: 'the stage queues to drain' })
    .toEqual(stages.map(() => ({ visible: 0, invisible: 0, deadLetters: 0 })));
}

describe('a durable, idempotent pipeline', () => {
  it('finishes an upgrade after the runtime is stopped mid-hop and started again on the same data dir', async () => {
    // Prepare: the first hop is uploaded and waits for the catalog to offer its CSV
    const first = await start();
    await first.register(env.name('restarted'));
    const created = await first.upgrade(env.name('restarted'), '4.1.2');
    const midHop = await first.waitFor(created.id, (job) => job.state === 'patching');
    await first.stop();

    // Act
    const second = await start({ dataDir: first.dataDir });
    const job: AnyJob = await second.finished(created.id);

    // Assess
    expect(midHop.hop).toBe(0);
    expect(job.state).toBe('succeeded');
    expect(job.transitions.map((t) => t.to)).toEqual(TWO_HOPS);
    expect(env.subscription('restarted').status).toMatchObject({ installedCSV: 'redis-operator.v4.1.2' });
    expectEachSideEffectOnce('restarted');
    await expectDrained(second);
  });

  it('ignores a second delivery of every message: one upload and one approval per hop', async () => {
    // Prepare
    const runtime = await start({ duplicateEveryMessage: true });
    await runtime.register(env.name('duplicated'));

    // Act
    const created = await runtime.upgrade(env.name('duplicated'), '4.1.2');
    const job = await runtime.finished(created.id);

    // Assess
    expect(job.state).toBe('succeeded');
    expect(job.transitions.map((t) => t.to)).toEqual(TWO_HOPS);
    expect(env.subscription('duplicated').status).toMatchObject({ installedCSV: 'redis-operator.v4.1.2' });
    expectEachSideEffectOnce('duplicated');
    // Every transition but the terminal one sends the next stage's message (waits send more): each went twice.
    expect(runtime.duplicatedMessages()).toBeGreaterThanOrEqual(job.transitions.length - 1);
    await expectDrained(runtime);
  });
});
