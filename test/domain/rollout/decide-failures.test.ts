import { describe, expect, it } from 'vitest';
import { ConflictError } from '#domain/errors.ts';
import { decide } from '#domain/rollout/decide.ts';
import { fleetOf } from './support/fleet.ts';
import { type Outcome, RolloutWorld, type WorldOptions } from './support/rollout-world.ts';

const fleet = fleetOf(10);
const names = fleet.map((cluster) => cluster.name);

function world(strategy: WorldOptions['request']['strategy'], scripts: Record<string, Outcome[]>) {
  return new RolloutWorld({ fleet, request: { clusters: names, strategy }, scripts });
}

const states = (world: RolloutWorld) =>
  world.batch.clusters.map((cluster) => `${cluster.name}:${cluster.state}`);

describe('failures and the failure budget', () => {
  it('a failing canary halts before the next wave, whatever the budget, nothing done to the rest', () => {
    // Prepare
    const rollout = world({ canary: 1, failureBudget: { maxFailed: 3 } }, { c00: ['fail'] });
    // Act
    const batch = rollout.run();
    // Assess
    expect(batch.state).toBe('halted');
    expect(batch.reason).toBe(
      'canary failed: c00 (failed: scripted fail); no new job starts; resume with acceptFailures: true to go on',
    );
    expect(rollout.jobs.size).toBe(1);
    expect(rollout.eventTypes()).toContain('batch.halted');
  });

  it('halts exactly when the failures exceed maxFailed; running jobs finish, no new one starts', () => {
    // Prepare: one wave of 10, 3 at a time; c01 and c04 fail
    const rollout = world(
      { maxConcurrency: 3, failureBudget: { maxFailed: 1 } },
      { c01: ['fail'], c04: ['fail'] },
    );
    rollout.decide(); // c00..c02 start
    rollout.endRunning(); // c01 fails: within the budget
    const within = rollout.decide(); // c03..c05 start
    rollout.endRunning(); // c04 fails: the second failure
    // Act
    const exceeded = rollout.decide();
    // Assess
    expect(within.batch.state).toBe('running');
    expect(within.batch.halt).toBeUndefined();
    expect(exceeded.batch.state).toBe('halted');
    expect(exceeded.batch.halt?.clusters).toEqual(['c01', 'c04']);
    expect(exceeded.batch.reason).toBe(
      'failure budget exceeded: 2 failed where 1 is tolerated: c01 (failed: scripted fail), c04 (failed: scripted fail); no new job starts; resume with acceptFailures: true to go on',
    );
    expect(exceeded.actions.filter((action) => action.kind === 'start-job')).toEqual([]);
    expect(exceeded.events.map((event) => event.type)).toEqual(['batch.halted']);
  });

  it('does not count blocked clusters unless countBlocked', () => {
    // Prepare
    const scripts: Record<string, Outcome[]> = { c02: ['block'], c03: ['block'] };
    // Act
    const tolerant = world({ maxConcurrency: 2 }, scripts).run();
    const strict = world(
      { maxConcurrency: 2, failureBudget: { maxFailed: 1, countBlocked: true } },
      scripts,
    ).run();
    const allAtOnce = world({ failureBudget: { maxFailed: 1, countBlocked: true } }, scripts).run();
    // Assess
    expect(tolerant.state).toBe('completed-with-failures');
    expect(tolerant.halt).toBeUndefined();
    expect(strict.state).toBe('halted');
    expect(strict.halt?.clusters).toEqual(['c02', 'c03']);
    expect(strict.clusters.filter((cluster) => cluster.state === 'pending')).toHaveLength(6);
    expect(allAtOnce.state).toBe('completed-with-failures');
    expect(allAtOnce.reason).toBe(
      'completed: 8 succeeded, 2 blocked (halted on the way: failure budget exceeded: 2 failed where 1 is tolerated: c02 (blocked: scripted block), c03 (blocked: scripted block))',
    );
  });

  it('resumes a halted batch only with acceptFailures, recorded; later failures count anew', () => {
    // Prepare
    const rollout = world(
      { maxConcurrency: 1, failureBudget: { maxFailed: 0 } },
      { c01: ['fail'], c03: ['fail'] },
    );
    const halted = rollout.run();
    // Act
    const refused = () => decide(halted, rollout.now, { command: { kind: 'resume' } });
    const resumed = rollout.decide({
      command: { kind: 'resume', acceptFailures: true, by: 'ana', note: 'known flake' },
    });
    const again = rollout.run();
    // Assess
    expect(refused).toThrow(ConflictError);
    expect(refused).toThrow('resume it with acceptFailures: true to accept c01 and go on');
    expect(resumed.batch.acceptances).toEqual([
      {
        at: rollout.decisions.at(-1)?.batch.acceptances[0]?.at,
        by: 'ana',
        clusters: ['c01'],
        attempts: { c01: 1 },
      },
    ]);
    expect(resumed.events[0]).toMatchObject({
      type: 'batch.resumed',
      by: 'ana',
      reason: 'resumed by ana, accepting the failures of c01 (known flake)',
    });
    expect(again.state).toBe('halted');
    expect(again.halt?.clusters).toEqual(['c03']);
  });

  it("accepting an unproven canary does not accept its retry's failure", () => {
    // Prepare: the canary is deferred as unreachable, so the canary wave proves nothing
    const rollout = world(
      {
        canary: 1,
        maxConcurrency: 1,
        failureBudget: { maxFailed: 0 },
        unreachable: { mode: 'defer', retries: 1 },
      },
      { c00: ['unreachable', 'fail'] },
    );
    const unproven = rollout.run();
    // Act
    const resumed = rollout.decide({ command: { kind: 'resume', acceptFailures: true, by: 'ana' } });
    const batch = rollout.run();
    // Assess
    expect(unproven.halt?.reason).toContain('no canary was upgraded and re-checked');
    expect(resumed.batch.acceptances).toMatchObject([{ by: 'ana', clusters: ['c00'], attempts: { c00: 1 } }]);
    expect(batch.clusters[0]).toMatchObject({ state: 'failed', attempt: 2 });
    expect(batch.halt?.clusters).toEqual(['c00']);
    expect(batch.reason).toContain(
      '(halted on the way: failure budget exceeded: 1 failed where 0 are tolerated: c00 (failed: scripted fail)',
    );
  });

  it('halts when the canary wave ends with no canary upgraded', () => {
    // Prepare
    const rollout = world({ canary: 1 }, { c00: ['block'] });
    // Act
    const batch = rollout.run();
    // Assess
    expect(batch.state).toBe('halted');
    expect(batch.reason).toContain(
      'no canary was upgraded and re-checked, so nothing has proven 4.2.1 yet: c00 (blocked',
    );
  });
});

describe('unreachable clusters', () => {
  it('are deferred to the end of the batch without stalling their wave, and retried', () => {
    // Prepare
    const rollout = world(
      { waveSize: 5, unreachable: { mode: 'defer', retries: 2, retryDelaySeconds: 60 } },
      { c01: ['unreachable', 'succeed'], c06: ['unreachable', 'unreachable', 'unreachable'] },
    );
    // Act
    const batch = rollout.run();
    // Assess
    expect(batch.state).toBe('completed-with-failures');
    expect(batch.waves.map((wave) => wave.label)).toEqual(['wave 1', 'wave 2', 'unreachable retries']);
    expect(batch.clusters.find((c) => c.name === 'c01')).toMatchObject({
      state: 'succeeded',
      attempt: 2,
      wave: 2,
    });
    expect(batch.clusters.find((c) => c.name === 'c06')).toMatchObject({
      state: 'blocked',
      attempt: 3,
      reason: 'unreachable after 2 retries: scripted unreachable',
    });
    const wave2Start = Date.parse(batch.waves[1]?.startedAt ?? '');
    const c01Retry = [...rollout.jobs.values()].find((job) => job.cluster === 'c01' && job.attempt === 2);
    expect(c01Retry?.endsAt).toBeGreaterThan(wave2Start);
    expect(rollout.events.find((e) => e.type === 'wave.completed')?.reason).toContain(
      'c01 deferred to the end (unreachable)',
    );
  });

  it('leave their wave to bake once its other jobs have ended', () => {
    // Prepare
    const rollout = world(
      { waveSize: 5, bakeSeconds: 600, unreachable: { mode: 'defer', retries: 1 } },
      { c01: ['unreachable', 'succeed'] },
    );
    rollout.decide();
    rollout.endRunning();
    // Act
    const decision = rollout.decide();
    // Assess
    expect(decision.batch.state).toBe('baking');
    expect(decision.batch.reason).toBe('wave 1 bakes until 2026-03-02T10:10:00.000Z');
    expect(decision.batch.clusters[1]).toMatchObject({
      state: 'deferred-unreachable',
      retryAt: '2026-03-02T10:05:00.000Z',
      reason:
        'unreachable at validate, deferred to the end of the batch (retry 1 of 1): scripted unreachable',
    });
  });

  it('are blocked at once without a defer policy', () => {
    // Act
    const batch = world({}, { c01: ['unreachable'] }).run();
    // Assess
    expect(batch.clusters[1]).toMatchObject({ state: 'blocked', attempt: 1 });
  });
});

describe('starts the caller could not make', () => {
  it('skip a busy cluster under skipBusy, and block it otherwise', () => {
    // Act
    const skipping = world({ skipBusy: true }, { c02: ['busy'] });
    skipping.run();
    const strict = world({}, { c02: ['busy'] });
    strict.run();
    // Assess
    expect(states(skipping)).toContain('c02:skipped');
    expect(skipping.batch.clusters[2]?.reason).toBe('skipped: an upgrade job is already active');
    expect(skipping.batch.state).toBe('completed-with-failures');
    expect(states(strict)).toContain('c02:blocked');
    expect(strict.batch.clusters[2]?.reason).toBe('could not start: an upgrade job is already active');
  });
});
