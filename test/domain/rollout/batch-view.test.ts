import { describe, expect, it } from 'vitest';
import { batchView } from '#domain/rollout/batch-view.ts';
import { decide } from '#domain/rollout/decide.ts';
import { fleetOf } from './support/fleet.ts';
import { RolloutWorld } from './support/rollout-world.ts';

const fleet = fleetOf(6);
const options = { jobEstimateSeconds: 600 };

function world() {
  return new RolloutWorld({
    fleet,
    request: {
      clusters: fleet.map((c) => c.name),
      strategy: { canary: 1, maxConcurrency: 2, bakeSeconds: 300 },
    },
    scripts: { c02: ['block'] },
  });
}

describe('the batch view', () => {
  it('shows counts, the budget, each wave with its clusters, and ETAs while it runs', () => {
    // Prepare: the canary is done, wave 2 has its first two jobs running
    const rollout = world();
    rollout.decide();
    rollout.endRunning();
    rollout.decide();
    rollout.now = new Date(rollout.now.getTime() + 300_000);
    rollout.decide();
    rollout.decide();
    const running = decide(rollout.batch, rollout.now, {
      jobs: [
        ...rollout.reports().filter((r) => r.cluster !== 'c01'),
        {
          cluster: 'c01',
          jobId: 'job-2',
          state: 'uploading',
          hop: { index: 1, count: 2, from: '4.0.3', to: '4.2.1' },
        },
      ],
    }).batch;
    const later = new Date(rollout.now.getTime() + 120_000);
    // Act
    const view = batchView(running, later, options);
    // Assess
    expect(view.state).toBe('running');
    expect(view.counts).toMatchObject({ succeeded: 1, started: 2, pending: 3, failed: 0 });
    expect(view.failures).toEqual({ counted: 0, tolerated: 0 });
    expect(view.waves.map((wave) => [wave.label, wave.state, wave.eta])).toEqual([
      ['canary', 'completed', undefined],
      ['wave 2', 'running', '2026-03-02T10:40:00.000Z'],
    ]);
    expect(view.eta).toBe('2026-03-02T10:40:00.000Z');
    expect(view.waves[1]?.clusters[0]).toEqual({
      name: 'c01',
      state: 'started',
      attempt: 1,
      jobId: 'job-2',
      jobState: 'uploading',
      hop: 'hop 2/2: 4.0.3 -> 4.2.1',
      startedAt: '2026-03-02T10:05:00.000Z',
      durationSeconds: 120,
    });
    expect(view).not.toHaveProperty('eventSeq');
  });

  it('shows no ETA once the batch waits on a person or is over', () => {
    // Prepare
    const rollout = world();
    rollout.decide();
    const paused = rollout.decide({ command: { kind: 'pause' } }).batch;
    rollout.decide({ command: { kind: 'resume' } });
    const done = rollout.run();
    // Act
    const pausedView = batchView(paused, rollout.now, options);
    const doneView = batchView(done, rollout.now, options);
    // Assess
    expect(pausedView.eta).toBeUndefined();
    expect(doneView.eta).toBeUndefined();
    expect(doneView.counts).toMatchObject({ succeeded: 5, blocked: 1 });
    expect(doneView.waves.every((wave) => wave.state === 'completed')).toBe(true);
    expect(doneView.waves[1]?.clusters.find((c) => c.name === 'c02')).toMatchObject({
      state: 'blocked',
      reason: 'scripted block',
      durationSeconds: 600,
    });
  });
});

describe('the batch view of a batch outside its window', () => {
  it('says when the window next opens, and only while the batch waits for it', () => {
    // Prepare: Monday 10:00 UTC is 11:00 in Berlin, an hour before the window
    const window = { days: ['Mon' as const], start: '12:00', end: '13:00', timeZone: 'Europe/Berlin' };
    const rollout = new RolloutWorld({
      fleet,
      request: { clusters: fleet.map((c) => c.name), strategy: { maxConcurrency: 2, window } },
    });
    const closed = rollout.decide().batch;
    rollout.now = new Date('2026-03-02T11:00:00Z');
    const open = rollout.decide().batch;
    // Act
    const waiting = batchView(closed, new Date('2026-03-02T10:15:00Z'), options);
    const running = batchView(open, rollout.now, options);
    // Assess
    expect(waiting.state).toBe('outside-window');
    expect(waiting.windowOpensAt).toBe('2026-03-02T11:00:00.000Z');
    expect(running.state).toBe('running');
    expect(running).not.toHaveProperty('windowOpensAt');
  });

  it('keeps the times the rollout learned from its jobs to itself', () => {
    // Prepare
    const rollout = world();
    const batch = { ...rollout.batch, waitSamples: { verify: [240] } };
    // Act
    const view = batchView(batch, rollout.now, options);
    // Assess
    expect(view).not.toHaveProperty('waitSamples');
    expect(view).toMatchObject({ id: batch.id, targetVersion: batch.targetVersion });
  });
});
