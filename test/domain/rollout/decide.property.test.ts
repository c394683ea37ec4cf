/**
 * The rollout's decision function under random fleets, strategies, job outcomes and operators:
 * decisions are interleaved with jobs ending, time passing, commands, and reports delivered
 * twice, reversed or stale. Every decision is checked (support/rollout-invariants.ts), and once
 * the operators stop meddling the batch must finish with every cluster terminal and no cluster
 * ever given two jobs at once (the world throws if a start would do that).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConflictError } from '#domain/errors.ts';
import type { BatchRequestInput } from '#domain/rollout/batch-request.ts';
import type { RolloutInputs } from '#domain/rollout/decide.ts';
import type { BatchCommand } from '#domain/rollout/rollout-commands.ts';
import type { JobReport } from '#domain/rollout/rollout-reports.ts';
import { fleetOf } from './support/fleet.ts';
import { checkDecision, checkFinished } from './support/rollout-invariants.ts';
import { type Outcome, RolloutWorld } from './support/rollout-world.ts';

const quantity = (max: number) =>
  fc.oneof(fc.integer({ min: 1, max }), fc.constantFrom('25%', '50%', '100%'));

const strategyArb: fc.Arbitrary<BatchRequestInput['strategy']> = fc
  .record(
    {
      canary: fc.integer({ min: 1, max: 3 }),
      waveSize: quantity(5),
      maxConcurrency: quantity(4),
      failureBudget: fc.record({
        maxFailed: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant('20%')),
        countBlocked: fc.boolean(),
      }),
      bakeSeconds: fc.constantFrom(0, 300),
      approval: fc.constantFrom('none' as const, 'each-wave' as const, 'after-canary' as const),
      window: fc.constant({
        days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'] as ('Mon' | 'Tue' | 'Wed' | 'Thu' | 'Fri')[],
        start: '09:00',
        end: '17:00',
        timeZone: 'Europe/Berlin',
      }),
      unreachable: fc.record({
        mode: fc.constant('defer' as const),
        retries: fc.integer({ min: 0, max: 2 }),
        retryDelaySeconds: fc.constantFrom(0, 120),
      }),
      skipBusy: fc.boolean(),
    },
    { requiredKeys: ['maxConcurrency', 'failureBudget'] },
  )
  .map((strategy) =>
    strategy.approval === 'after-canary' && strategy.canary === undefined
      ? { ...strategy, approval: 'none' as const }
      : strategy,
  );

const outcomeArb = fc.constantFrom<Outcome>(
  'succeed',
  'succeed',
  'succeed',
  'fail',
  'block',
  'unreachable',
  'recheck-fail',
  'busy',
);

type Step =
  | { kind: 'decide'; duplicate: boolean; reverse: boolean; stale: number | undefined }
  | { kind: 'end'; pick: number }
  | { kind: 'tick'; seconds: number }
  | { kind: 'command'; command: BatchCommand };

const commandArb: fc.Arbitrary<BatchCommand> = fc.oneof(
  fc.constant({ kind: 'pause' as const }),
  fc.constant({ kind: 'resume' as const }),
  fc.constant({ kind: 'resume' as const, acceptFailures: true }),
  fc.constant({ kind: 'cancel' as const }),
  fc.record(
    { kind: fc.constant('approve' as const), wave: fc.integer({ min: 0, max: 6 }) },
    { requiredKeys: ['kind'] },
  ),
);

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('decide' as const),
      duplicate: fc.boolean(),
      reverse: fc.boolean(),
      stale: fc.option(fc.nat(), { nil: undefined }),
    }),
  },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('end' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('tick' as const),
      seconds: fc.integer({ min: 0, max: 4 * 3600 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('command' as const), command: commandArb }) },
);

const scenarioArb = fc.record({
  size: fc.integer({ min: 1, max: 12 }),
  canaryLabels: fc.array(fc.nat(11), { maxLength: 2 }),
  strategy: strategyArb,
  scripts: fc.array(fc.array(outcomeArb, { minLength: 1, maxLength: 3 }), { minLength: 12, maxLength: 12 }),
  steps: fc.array(stepArb, { minLength: 10, maxLength: 80 }),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function worldOf(scenario: Scenario): RolloutWorld {
  const fleet = fleetOf(
    scenario.size,
    (i): Record<string, string> =>
      scenario.canaryLabels.includes(i) ? { 'redis-upgrader/canary': 'true' } : {},
  );
  return new RolloutWorld({
    fleet,
    request: { clusters: fleet.map((c) => c.name), strategy: scenario.strategy },
    scripts: Object.fromEntries(fleet.map((c, i) => [c.name, scenario.scripts[i] ?? ['succeed']])),
    start: new Date('2026-03-02T08:30:00Z'), // a Monday, half an hour before the window opens
    check: checkDecision,
  });
}

/** Applies a command as an operator would: a refused one changes nothing. */
function command(world: RolloutWorld, command: BatchCommand): void {
  try {
    world.decide({ ...world.inputs(), command });
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
}

function messy(
  world: RolloutWorld,
  step: Extract<Step, { kind: 'decide' }>,
  history: JobReport[][],
): RolloutInputs {
  const inputs = world.inputs();
  let jobs = inputs.jobs ?? [];
  if (step.stale !== undefined && history.length > 0)
    jobs = [...(history[step.stale % history.length] ?? []), ...jobs];
  if (step.duplicate) jobs = [...jobs, ...jobs];
  if (step.reverse) jobs = [...jobs].reverse();
  return { ...inputs, jobs };
}

function play(world: RolloutWorld, steps: readonly Step[]): void {
  const history: JobReport[][] = [];
  for (const step of steps) {
    if (step.kind === 'decide') {
      history.push(world.reports());
      world.decide(messy(world, step, history));
    } else if (step.kind === 'end') {
      const running = world.running();
      const job = running[step.pick % Math.max(1, running.length)];
      if (job) world.finish(job);
    } else if (step.kind === 'tick') {
      world.now = new Date(world.now.getTime() + step.seconds * 1000);
    } else {
      command(world, step.command);
    }
  }
}

/** The operators step back: resume, accept, approve, let every job end and every timer fire. */
function settle(world: RolloutWorld): void {
  for (let round = 0; round < 400 && !world.batch.finishedAt; round++) {
    const { state, currentWave } = world.batch;
    if (state === 'paused') command(world, { kind: 'resume' });
    if (state === 'halted') command(world, { kind: 'resume', acceptFailures: true });
    if (state === 'awaiting-approval') command(world, { kind: 'approve', wave: currentWave });
    world.endRunning();
    world.decide();
    if (world.running().length === 0 && !world.batch.finishedAt) world.advance();
  }
}

describe('rollout decision properties', () => {
  it('hold for every decision, and every batch ends with each cluster in one terminal state', {
    timeout: 600_000,
  }, () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const world = worldOf(scenario);
        play(world, scenario.steps);
        settle(world);
        expect(world.batch.finishedAt, `${world.batch.state}: ${world.batch.reason}`).toBeDefined();
        checkFinished(world.batch);
        for (const cluster of world.batch.clusters) {
          const jobs = [...world.jobs.values()].filter((job) => job.cluster === cluster.name);
          expect(jobs.length).toBeLessThanOrEqual(1 + (scenario.strategy.unreachable?.retries ?? 0));
          expect(new Set(jobs.map((job) => job.attempt)).size).toBe(jobs.length);
        }
      }),
      { numRuns: Number(process.env.ROLLOUT_RUNS ?? 300) },
    );
  });
});
