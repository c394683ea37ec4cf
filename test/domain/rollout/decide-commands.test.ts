import { describe, expect, it } from 'vitest';
import { ConflictError } from '#domain/errors.ts';
import { decide, type RolloutAction, startKey } from '#domain/rollout/decide.ts';
import { batchCommandBodies } from '#domain/rollout/rollout-commands.ts';
import { fleetOf } from './support/fleet.ts';
import { RolloutWorld, type WorldOptions } from './support/rollout-world.ts';

const fleet = fleetOf(6);
const names = fleet.map((cluster) => cluster.name);

const starts = (actions: readonly RolloutAction[]) =>
  actions.flatMap((action) =>
    action.kind === 'start-job' ? [{ cluster: action.cluster, idempotencyKey: action.idempotencyKey }] : [],
  );

function world(strategy: WorldOptions['request']['strategy'] = { maxConcurrency: 2 }) {
  return new RolloutWorld({ fleet, request: { clusters: names, strategy } });
}

describe('pause, resume, cancel', () => {
  it('pause stops new starts while running jobs finish; resume goes on; both are harmless twice', () => {
    // Prepare
    const rollout = world();
    rollout.decide();
    // Act
    const paused = rollout.decide({ command: { kind: 'pause', by: 'ana' } });
    const pausedAgain = decide(paused.batch, rollout.now, { command: { kind: 'pause' } });
    rollout.endRunning();
    const whilePaused = rollout.decide();
    const resumed = rollout.decide({ command: { kind: 'resume', by: 'ana' } });
    const resumedAgain = decide(resumed.batch, rollout.now, { command: { kind: 'resume' } });
    // Assess
    expect(paused.batch.state).toBe('paused');
    expect(paused.events[0]).toMatchObject({
      type: 'batch.paused',
      reason: 'paused by ana: no new job starts; 2 running jobs finish',
    });
    expect(pausedAgain.changed).toBe(false);
    expect(whilePaused.batch.clusters.map((c) => c.state)).toEqual([
      'upgraded',
      'upgraded',
      'pending',
      'pending',
      'pending',
      'pending',
    ]);
    expect(whilePaused.actions.some((action) => action.kind === 'start-job')).toBe(false);
    expect(resumed.events.map((event) => event.type)).toEqual(['batch.resumed']);
    expect(
      resumed.actions.filter((action) => action.kind === 'start-job').map((a) => 'cluster' in a && a.cluster),
    ).toEqual(['c02', 'c03']);
    expect(resumedAgain.changed).toBe(false);
  });

  it('cancel cancels the clusters not started and asks running jobs to cancel; the batch ends when they stop', () => {
    // Prepare
    const rollout = world();
    rollout.decide();
    rollout.decide(); // the jobs of c00 and c01 are seen running
    // Act
    const cancelled = rollout.decide({ command: { kind: 'cancel', by: 'ana', note: 'bad release' } });
    const stillRunning = cancelled.batch.finishedAt;
    rollout.decide(); // the world cancelled the jobs
    // Assess
    expect(cancelled.batch.state).toBe('cancelled');
    expect(cancelled.events[0]?.reason).toBe('cancelled by ana (bad release); cancel requested for c00, c01');
    expect(cancelled.actions.filter((a) => a.kind === 'cancel-job')).toEqual([
      { kind: 'cancel-job', cluster: 'c00', jobId: 'job-1' },
      { kind: 'cancel-job', cluster: 'c01', jobId: 'job-2' },
    ]);
    expect(stillRunning).toBeUndefined();
    expect(rollout.batch.finishedAt).toBe(rollout.now.toISOString());
    expect(rollout.batch.clusters.every((c) => c.state === 'cancelled')).toBe(true);
    expect(() => decide(rollout.batch, rollout.now, { command: { kind: 'pause' } })).toThrow(ConflictError);
    expect(decide(rollout.batch, rollout.now, { command: { kind: 'cancel' } }).changed).toBe(false);
  });

  it('a cancel leaves a decided start open until the rollout has looked for its job, and cancels the job it finds', () => {
    // Prepare: the start of c00 was decided, its job not seen yet
    const rollout = world();
    const first = decide(rollout.batch, rollout.now, {});
    // Act
    const cancelled = decide(first.batch, rollout.now, { command: { kind: 'cancel', by: 'ana' } });
    const none = decide(cancelled.batch, rollout.now, { jobs: [] });
    const late = decide(cancelled.batch, rollout.now, {
      jobs: [{ cluster: 'c00', jobId: 'j9', state: 'uploading' }],
    });
    const afterNone = decide(none.batch, rollout.now, {
      jobs: [{ cluster: 'c00', jobId: 'j9', state: 'uploading' }],
    });
    const ended = decide(late.batch, rollout.now, {
      jobs: [{ cluster: 'c00', jobId: 'j9', state: 'succeeded' }],
    });
    // Assess: the command alone finishes nothing; a look that finds no job ends the start
    expect(cancelled.batch.clusters[0]).toMatchObject({ state: 'starting', cancelRequested: true });
    expect(cancelled.batch.finishedAt).toBeUndefined();
    expect(none.batch.clusters[0]).toMatchObject({
      state: 'cancelled',
      reason: "batch cancelled by ana before this cluster's job started",
    });
    expect(none.batch.finishedAt).toBeDefined();
    expect(none.actions.some((action) => action.kind === 'start-job')).toBe(false);
    expect(late.batch.finishedAt).toBeUndefined();
    // A job that turns up after the look (its start raced it) is still adopted and cancelled
    expect(afterNone.batch.finishedAt).toBeUndefined();
    expect(afterNone.actions).toContainEqual({ kind: 'cancel-job', cluster: 'c00', jobId: 'j9' });
    expect(cancelled.actions.some((action) => action.kind === 'start-job')).toBe(false);
    expect(late.actions).toContainEqual({ kind: 'cancel-job', cluster: 'c00', jobId: 'j9' });
    expect(ended.batch.clusters[0]).toMatchObject({
      state: 'succeeded',
      reason: expect.stringContaining('not re-checked'),
    });
    expect(ended.batch.finishedAt).toBeDefined();
  });

  it('refuses a command made on a version of the batch that has changed since', () => {
    // Prepare
    const rollout = world();
    const seen = rollout.decide().batch.version;
    rollout.decide();
    // Act
    const stale = () => decide(rollout.batch, rollout.now, { command: { kind: 'cancel', ifVersion: seen } });
    const current = decide(rollout.batch, rollout.now, {
      command: { kind: 'cancel', ifVersion: rollout.batch.version },
    });
    // Assess
    expect(stale).toThrow(ConflictError);
    expect(stale).toThrow(`batch b1 changed since version ${seen} (it is at version ${seen + 1}: running,`);
    expect(current.batch.state).toBe('cancelled');
  });

  it('refuses commands on a finished batch', () => {
    // Prepare
    const rollout = world();
    const done = rollout.run();
    // Act / Assess
    for (const [kind, past] of [
      ['pause', 'paused'],
      ['resume', 'resumed'],
      ['cancel', 'cancelled'],
      ['approve', 'approved'],
    ] as const) {
      expect(() => decide(done, rollout.now, { command: { kind } })).toThrow(
        `batch b1 is succeeded: it cannot be ${past}`,
      );
    }
  });
});

describe('a start decided before the batch stopped starting jobs', () => {
  // The start of c00 was committed, then the process died before its job existed.
  const decidedStart = (strategy: WorldOptions['request']['strategy']) => {
    const rollout = world(strategy);
    return { rollout, decided: decide(rollout.batch, rollout.now, {}) };
  };

  it('is not carried out while the batch is paused, and is on resume, under the same key', () => {
    // Prepare
    const { rollout, decided } = decidedStart({ maxConcurrency: 1 });
    // Act
    const paused = decide(decided.batch, rollout.now, { command: { kind: 'pause', by: 'ana' } });
    const woken = decide(paused.batch, rollout.now, { jobs: [] });
    const resumed = decide(woken.batch, rollout.now, { command: { kind: 'resume', by: 'ana' } });
    // Assess
    expect(starts(decided.actions)).toEqual([{ cluster: 'c00', idempotencyKey: 'rollout:b1:1:c00' }]);
    expect(starts(paused.actions)).toEqual([]);
    expect(starts(woken.actions)).toEqual([]);
    expect(woken.batch.clusters[0]).toMatchObject({ state: 'starting', attempt: 1 });
    expect(woken.batch.clusters.filter((c) => c.state === 'starting')).toHaveLength(1);
    expect(starts(resumed.actions)).toEqual(starts(decided.actions));
  });

  it('is not carried out while the batch is halted, and is once its failures are accepted', () => {
    // Prepare: c00 and c01 were to start; c00's job failed at once, c01's never came to be
    const { rollout, decided } = decidedStart({ maxConcurrency: 2, failureBudget: { maxFailed: 0 } });
    const failed = [{ cluster: 'c00', jobId: 'j1', state: 'failed' as const }];
    // Act
    const halted = decide(decided.batch, rollout.now, { jobs: failed });
    const resumed = decide(halted.batch, rollout.now, {
      command: { kind: 'resume', acceptFailures: true },
      jobs: failed,
    });
    // Assess
    expect(halted.batch.state).toBe('halted');
    expect(starts(halted.actions)).toEqual([]);
    expect(halted.batch.clusters[1]).toMatchObject({ state: 'starting', attempt: 1 });
    expect(starts(resumed.actions)).toContainEqual({ cluster: 'c01', idempotencyKey: 'rollout:b1:1:c01' });
  });
});

describe('idempotence', () => {
  it('re-deciding on the committed batch changes nothing and asks for the same starts again', () => {
    // Prepare
    const rollout = world();
    const first = decide(rollout.batch, rollout.now, {});
    // Act
    const again = decide(first.batch, rollout.now, {});
    // Assess
    expect(again.changed).toBe(false);
    expect(again.batch).toBe(first.batch);
    expect(again.events).toEqual([]);
    expect(again.actions).toEqual(first.actions);
    expect(first.actions.filter((a) => a.kind === 'start-job')).toEqual([
      { kind: 'start-job', cluster: 'c00', attempt: 1, idempotencyKey: 'rollout:b1:1:c00' },
      { kind: 'start-job', cluster: 'c01', attempt: 1, idempotencyKey: 'rollout:b1:1:c01' },
    ]);
  });

  it('duplicated, reordered and stale reports decide as the clean ones do', () => {
    // Prepare
    const rollout = world();
    rollout.decide();
    rollout.decide();
    rollout.endRunning();
    const clean = rollout.reports();
    const stale = clean.map((report) => ({ ...report, state: 'validating' as const }));
    // Act
    const once = decide(rollout.batch, rollout.now, { jobs: clean });
    const messy = decide(rollout.batch, rollout.now, {
      jobs: [...stale, ...clean, ...stale, ...clean].reverse(),
    });
    const staleAfter = decide(once.batch, rollout.now, { jobs: stale });
    // Assess
    expect(messy).toEqual(once);
    expect(staleAfter.changed).toBe(false);
  });

  it('start keys differ per cluster and attempt, and stay within 255 characters', () => {
    // Act
    const long = startKey('b1', 'x'.repeat(253), 1);
    // Assess
    expect(startKey('b1', 'c1', 1)).not.toBe(startKey('b1', 'c1', 2));
    expect(long).toMatch(/^rollout:[0-9a-f]{64}$/);
    expect(startKey('b1', 'x'.repeat(253), 2)).not.toBe(long);
  });
});

describe('command bodies', () => {
  it.each([
    ['pause', {}, true],
    ['resume', { acceptFailures: true, note: 'known flake', ifVersion: 7 }, true],
    ['approve', { wave: 2 }, true],
    ['approve', { wave: -1 }, false],
    ['cancel', { by: 'mallory' }, false],
    ['resume', { acceptfailures: true }, false],
  ] as const)('%s with %j is %s', (kind, body, valid) => {
    // Act / Assess
    expect(batchCommandBodies[kind].safeParse(body).success).toBe(valid);
  });
});
