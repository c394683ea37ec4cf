import { describe, expect, it } from 'vitest';
import { ConflictError } from '#domain/errors.ts';
import { decide, type RolloutAction } from '#domain/rollout/decide.ts';
import { fleetOf } from './support/fleet.ts';
import { RolloutWorld, type WorldOptions } from './support/rollout-world.ts';

const fleet = fleetOf(8);
const names = fleet.map((cluster) => cluster.name);

function world(strategy: WorldOptions['request']['strategy'], options: Partial<WorldOptions> = {}) {
  return new RolloutWorld({ fleet, request: { clusters: names, strategy }, ...options });
}

const starts = (actions: readonly RolloutAction[]) =>
  actions.flatMap((action) => (action.kind === 'start-job' ? [action.cluster] : []));

describe('a rollout through its waves', () => {
  it('runs canary first, then each wave once the one before is complete, baked and re-checked', () => {
    // Prepare
    const rollout = world({ canary: 1, waveSize: '50%', maxConcurrency: 2, bakeSeconds: 600 });
    // Act
    const batch = rollout.run();
    // Assess
    expect(batch.state).toBe('succeeded');
    expect(batch.clusters.every((cluster) => cluster.state === 'succeeded' && cluster.attempt === 1)).toBe(
      true,
    );
    expect(rollout.eventTypes()).toEqual([
      'batch.started',
      'wave.started',
      'wave.baking',
      'wave.completed',
      'wave.started',
      'wave.baking',
      'wave.completed',
      'wave.started',
      'wave.baking',
      'wave.completed',
      'batch.completed',
    ]);
    expect(rollout.events.map((event) => event.id)).toEqual(rollout.events.map((_, i) => `b1:${i + 1}`));
    for (const [index, wave] of batch.waves.entries()) {
      const previous = batch.waves[index - 1];
      if (!previous) continue;
      expect(Date.parse(wave.startedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(previous.bakeUntil ?? ''));
      expect(wave.startedAt).toBe(previous.completedAt);
    }
  });

  it('starts at most maxConcurrency jobs of a wave, and the next as soon as a slot frees', () => {
    // Prepare
    const rollout = world({ maxConcurrency: 3 });
    // Act
    const first = rollout.decide();
    const again = rollout.decide();
    const [ended] = rollout.running();
    if (ended) rollout.finish(ended);
    const next = rollout.decide();
    // Assess
    expect(starts(first.actions)).toEqual(['c00', 'c01', 'c02']);
    expect(again.changed).toBe(true); // the jobs were seen started
    expect(starts(again.actions)).toEqual([]);
    expect(starts(next.actions)).toEqual(['c03']);
  });

  it('waits for the bake, then asks for re-checks, and starts the next wave only after them', () => {
    // Prepare
    const rollout = world({ canary: 1, bakeSeconds: 600 });
    rollout.decide();
    rollout.endRunning();
    // Act
    const baking = rollout.decide();
    const early = decide(rollout.batch, new Date(rollout.now.getTime() + 599_000), {});
    rollout.now = new Date(rollout.now.getTime() + 600_000);
    const baked = rollout.decide();
    const staleRecheck = {
      cluster: 'c00',
      checkedAt: new Date(rollout.now.getTime() - 1000).toISOString(),
      healthy: true,
    };
    const stale = decide(rollout.batch, rollout.now, { rechecks: [staleRecheck] });
    const rechecked = rollout.decide();
    // Assess
    expect(baking.batch.state).toBe('baking');
    expect(baking.actions).toContainEqual({
      kind: 'wake',
      at: '2026-03-02T10:10:00.000Z',
      reason: 'the bake of canary ends',
    });
    expect(early.actions.map((action) => action.kind)).not.toContain('recheck');
    expect(baked.actions).toContainEqual({ kind: 'recheck', clusters: ['c00'] });
    expect(starts(baked.actions)).toEqual([]);
    expect(baked.batch.reason).toBe('canary baked; re-checking 1 upgraded cluster');
    expect(stale.batch.clusters[0]?.state).toBe('upgraded');
    expect(starts(rechecked.actions)).toHaveLength(7);
    expect(rechecked.events.map((event) => event.type)).toEqual(['wave.completed', 'wave.started']);
  });

  it('counts a failed re-check as a failure', () => {
    // Prepare
    const rollout = world({ canary: 1 }, { scripts: { c00: ['recheck-fail'] } });
    // Act
    const batch = rollout.run();
    // Assess
    expect(batch.state).toBe('halted');
    expect(batch.clusters[0]).toMatchObject({
      state: 'recheck-failed',
      reason: 're-check after the bake failed: Redis cache/a is Error',
    });
    expect(batch.clusters.slice(1).every((cluster) => cluster.state === 'pending')).toBe(true);
  });
});

describe('maintenance windows', () => {
  const window = { days: ['Mon' as const], start: '12:00', end: '13:00', timeZone: 'Europe/Berlin' };

  it('waits for the window to open, then starts; no job starts after it closes, running ones finish', () => {
    // Prepare: Monday 10:00 UTC is 11:00 in Berlin; jobs take 40 minutes
    const rollout = world({ maxConcurrency: 2, window }, { jobSeconds: 2400 });
    // Act
    const closed = rollout.decide();
    rollout.now = new Date('2026-03-02T11:00:00Z');
    const open = rollout.decide();
    rollout.now = new Date('2026-03-02T11:40:00Z');
    rollout.endRunning();
    const secondPair = rollout.decide();
    rollout.now = new Date('2026-03-02T12:20:00Z');
    rollout.endRunning();
    const after = rollout.decide();
    // Assess
    expect(closed.batch.state).toBe('outside-window');
    expect(closed.events.map((event) => event.type)).toEqual(['batch.started', 'wave.outside_window']);
    expect(closed.batch.reason).toBe(
      'wave 1 waits: the window Mon 12:00-13:00 Europe/Berlin opens at 2026-03-02T11:00:00.000Z',
    );
    expect(closed.actions).toEqual([
      { kind: 'wake', at: '2026-03-02T11:00:00.000Z', reason: 'the maintenance window opens' },
    ]);
    expect(starts(open.actions)).toEqual(['c00', 'c01']);
    expect(starts(secondPair.actions)).toEqual(['c02', 'c03']);
    expect(starts(after.actions)).toEqual([]);
    expect(after.batch.state).toBe('outside-window');
    expect(after.actions).toContainEqual({
      kind: 'wake',
      at: '2026-03-09T11:00:00.000Z',
      reason: 'the maintenance window opens',
    });
  });

  it('does not carry out a start decided before the window closed until it opens again, under the same key', () => {
    // Prepare: the starts of c00 and c01 were committed a minute before the window closed; the
    // process died before their jobs existed
    const rollout = world({ maxConcurrency: 2, window }, { start: new Date('2026-03-02T11:59:00Z') });
    const decided = decide(rollout.batch, rollout.now, {});
    // Act
    const closed = decide(decided.batch, new Date('2026-03-02T12:01:00Z'), { jobs: [] });
    const reopened = decide(closed.batch, new Date('2026-03-09T11:00:00Z'), { jobs: [] });
    // Assess
    expect(starts(decided.actions)).toEqual(['c00', 'c01']);
    expect(closed.batch.state).toBe('outside-window');
    expect(starts(closed.actions)).toEqual([]);
    expect(closed.batch.clusters.slice(0, 2).map((c) => c.state)).toEqual(['starting', 'starting']);
    expect(reopened.actions.filter((action) => action.kind === 'start-job')).toEqual(
      decided.actions.filter((action) => action.kind === 'start-job'),
    );
  });
});

describe('approvals', () => {
  it('after-canary: the wave after the canary waits for approval; a retried approval is harmless', () => {
    // Prepare
    const rollout = world({ canary: 1, approval: 'after-canary' });
    // Act
    const waiting = rollout.run();
    const events = rollout.eventTypes();
    const approved = rollout.decide({ command: { kind: 'approve', wave: 1, by: 'ana' } });
    const retried = decide(approved.batch, rollout.now, { command: { kind: 'approve', wave: 1, by: 'ana' } });
    const done = rollout.run();
    // Assess
    expect(waiting.state).toBe('awaiting-approval');
    expect(waiting.reason).toBe('wave 2 (7 clusters) awaits approval (approve with {"wave": 1})');
    expect(events.at(-1)).toBe('wave.awaiting_approval');
    expect(starts(approved.actions)).toHaveLength(7);
    expect(approved.events[0]).toMatchObject({ type: 'wave.approved', wave: 1, by: 'ana' });
    expect(approved.events[0]?.reason).toContain('approved by ana');
    expect(retried.changed).toBe(false);
    expect(done.state).toBe('succeeded');
  });

  it('each-wave: may approve the next wave while the current one bakes, not before its jobs ended', () => {
    // Prepare
    const rollout = world({ waveSize: 4, approval: 'each-wave', bakeSeconds: 600 });
    rollout.decide();
    rollout.decide();
    // Act
    const running = rollout.batch;
    const tooEarly = () => decide(running, rollout.now, { command: { kind: 'approve', wave: 1 } });
    const nothingAwaits = () => decide(running, rollout.now, { command: { kind: 'approve' } });
    rollout.endRunning();
    rollout.decide();
    const baking = rollout.decide({ command: { kind: 'approve', wave: 1 } });
    const batch = rollout.run();
    // Assess
    expect(tooEarly).toThrow(ConflictError);
    expect(tooEarly).toThrow(
      'batch b1 is not awaiting approval wave 1 (running: wave 1: 4 running, 0 waiting, 0 done)',
    );
    expect(nothingAwaits).toThrow(ConflictError);
    expect(baking.batch.state).toBe('baking');
    expect(baking.batch.waves[1]?.approvedAt).toBe('2026-03-02T10:00:00.000Z');
    expect(baking.batch.waves[1]?.startedAt).toBeUndefined();
    expect(batch.state).toBe('succeeded');
  });
});
