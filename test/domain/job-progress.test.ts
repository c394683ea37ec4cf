import { describe, expect, it } from 'vitest';
import {
  attemptsByStageAndHop,
  countAttempt,
  deadlinePassed,
  recordProgress,
  recordWait,
  secondsInState,
} from '#domain/job-progress.ts';
import { transition } from '#domain/job-transitions.ts';
import { testCatalog } from '#test/fakes/catalog.ts';
import { jobAt } from '#test/fakes/jobs.ts';

const at = new Date('2026-03-01T12:00:00Z');
const catalog = testCatalog();
const patching = () =>
  jobAt('patching', { catalog, cluster: 'c1', from: '3.18.2', to: '4.2.1', platform: '4.0.0', at });

describe('job progress', () => {
  it('records a wait as a new version that the re-enqueued message carries', () => {
    // Prepare
    const job = patching();
    const cause = { stage: 'patch-subscription' as const, hop: 0, seq: job.version, id: 'm1' };
    // Act
    const waited = recordWait(job, { at, reason: 'catalog not synced', cause });
    // Assess
    expect(waited.version).toBe(job.version + 1);
    expect(waited.state).toBe('patching');
    expect(waited.transitions).toEqual(job.transitions);
    expect(waited.expected).toEqual({ stage: 'patch-subscription', hop: 0, seq: waited.version });
    expect(waited.step?.waitingFor).toBe('catalog not synced');
    expect(waited.causedBy).toEqual(cause);
  });

  it('counts attempts per stage and hop', () => {
    // Act
    const job = countAttempt(
      countAttempt(countAttempt(patching(), 'patch-subscription', 0), 'patch-subscription', 0),
      'verify',
      1,
    );
    // Assess
    expect(job.attempts).toEqual([
      { stage: 'patch-subscription', hop: 0, count: 2 },
      { stage: 'verify', hop: 1, count: 1 },
    ]);
    expect(attemptsByStageAndHop(job.attempts)).toEqual({ 'patch-subscription:0': 2, 'verify:1': 1 });
  });

  it('records progress without changing the expected message, and can mark the point of no return', () => {
    // Prepare
    const job = patching();
    // Act
    const claimed = recordProgress(job, { approvedPlan: 'redis-system/p1' }, { at, noReturn: true });
    const released = recordProgress(claimed, { approvedPlan: undefined }, { at });
    // Assess
    expect(claimed).toMatchObject({
      version: job.version + 1,
      noReturnHop: 0,
      step: { approvedPlan: 'redis-system/p1' },
    });
    expect(claimed.expected).toEqual(job.expected);
    expect(released.step).toEqual({});
  });

  it('measures the deadline from entering the state, not from the last wait', () => {
    // Prepare
    const job = patching();
    const waited = recordWait(job, { at: new Date(at.getTime() + 600_000), reason: 'x' });
    const now = new Date(at.getTime() + 1_800_000);
    // Act / Assess
    expect(secondsInState(waited, now)).toBe(1800);
    expect(deadlinePassed(waited, now, 1800)).toBe(true);
    expect(deadlinePassed(waited, now, 1801)).toBe(false);
    expect(secondsInState(transition(waited, 'verifying', { at: now }), now)).toBe(0);
  });
});
