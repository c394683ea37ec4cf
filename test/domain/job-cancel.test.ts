import { describe, expect, it } from 'vitest';
import { ConflictError } from '#domain/errors.ts';
import { ACTIVE_STATES, type ActiveState, type PlannedJob, type PlannedState } from '#domain/job.ts';
import { completeHop, isCancellable, requestCancel } from '#domain/job-cancel.ts';
import { recordProgress } from '#domain/job-progress.ts';
import { transition } from '#domain/job-transitions.ts';
import { testCatalog } from '#test/fakes/catalog.ts';
import { type AnyJob, jobAt } from '#test/fakes/jobs.ts';

const at = new Date('2026-03-01T12:00:00Z');
const catalog = testCatalog();

const input = (hop: number) => ({
  catalog,
  cluster: 'c1',
  from: '3.18.2',
  to: '4.2.1',
  platform: '4.0.0',
  at,
  hop,
});

function job(state: PlannedState, hop = 0): PlannedJob {
  return jobAt(state, input(hop));
}

describe('cancellation', () => {
  it.each(ACTIVE_STATES)(
    'cancels a %s job at once while its hop is before the point of no return',
    (state: ActiveState) => {
      // Prepare
      const active = jobAt(state, input(0));
      // Act
      const cancelled: AnyJob = requestCancel(active, { at, note: 'change freeze' });
      // Assess
      expect(cancelled.state).toBe('cancelled');
      expect(cancelled.version).toBe(active.version + 1);
      expect(cancelled.reason).toContain('cancelled on request (change freeze)');
      expect(cancelled.expected).toBeUndefined();
    },
  );

  it('says where it left the Subscription channel when the hop had moved it', () => {
    // Prepare: hop 0 moved the Subscription away from channel stable-v3
    const patching = recordProgress(job('patching'), { channelMovedFrom: 'stable-v3' }, { at });
    // Act
    const cancelled: AnyJob = requestCancel(patching, { at });
    // Assess
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.reason).toContain(
      'the Subscription was moved from channel stable-v3 to stable for this hop; move it back to stable-v3',
    );
  });

  it('defers the cancel once the hop is past its point of no return, recording the request once', () => {
    // Prepare: the job marked the approval of hop 0
    const patching = recordProgress(
      job('patching'),
      { approvedPlan: 'redis-system/p1' },
      { at, noReturn: true },
    );
    // Act
    const requested: AnyJob = requestCancel(patching, { at });
    const again = requestCancel(requested, { at });
    // Assess
    expect(isCancellable(patching)).toBe(false);
    expect(requested).toMatchObject({
      state: 'patching',
      cancelRequested: true,
      version: patching.version + 1,
    });
    expect(requested.expected).toEqual(patching.expected);
    expect(again).toBe(requested);
  });

  it('honours a deferred cancel after the hop is verified when more hops remain', () => {
    // Prepare
    const verifying = { ...job('verifying'), noReturnHop: 0, cancelRequested: true };
    // Act
    const next: AnyJob = completeHop(verifying, { at });
    // Assess
    expect(next.state).toBe('cancelled');
    expect(next.reason).toContain('the cluster runs 4.0.3, target 4.2.1 not reached');
  });

  it('ends succeeded, saying the cancel came too late, when the last hop was past its point of no return', () => {
    // Prepare
    const verifying = { ...job('verifying', 1), noReturnHop: 1, cancelRequested: true };
    // Act
    const next: AnyJob = completeHop(verifying, { at });
    // Assess
    expect(next.state).toBe('succeeded');
    expect(next.reason).toContain('the cancel request came after the last hop passed its point of no return');
  });

  it('lets a later hop be cancelled again: the point of no return is per hop', () => {
    // Prepare
    const secondHop = { ...job('uploading', 1), noReturnHop: 0 };
    // Act / Assess
    expect(isCancellable(secondHop)).toBe(true);
    expect(requestCancel(secondHop, { at }).state).toBe('cancelled');
  });

  it('moves a verified hop to the next one, or to succeeded after the last', () => {
    // Act
    const next = completeHop(job('verifying'), { at });
    const done = completeHop(job('verifying', 1), { at });
    // Assess
    expect(next).toMatchObject({ state: 'uploading', hop: 1, expected: { stage: 'upload-package', hop: 1 } });
    expect(done).toMatchObject({ state: 'succeeded', reason: expect.stringContaining('cluster runs 4.2.1') });
  });

  it.each(['succeeded', 'failed', 'blocked', 'cancelled'] as const)('refuses to cancel a %s job', (state) => {
    // Prepare
    const finished = transition(job(state === 'blocked' ? 'patching' : 'verifying', 1), state, {
      at,
      reason: 'ended',
    });
    // Act
    const act = () => requestCancel(finished, { at });
    // Assess
    expect(act).toThrow(ConflictError);
    expect(act).toThrow(`already ${state}`);
  });
});
