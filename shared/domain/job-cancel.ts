/**
 * Cancellation. What is safe to cancel:
 *
 * - Before the current hop's point of no return, a job is cancelled at once: by the cancel
 *   request itself, or by the next stage message that finds the request. Nothing that would
 *   change the Redis operator has been started, so the cluster stays on the last verified version
 *   (an uploaded package or a patched channel alone install nothing on a Manual subscription).
 * - The point of no return of a hop is the InstallPlan approval (Manual subscriptions) or the
 *   package push (Automatic subscriptions, where OLM installs on upload). The job records it in
 *   `noReturnHop` BEFORE doing either, with a conditional write, so a concurrent cancel either
 *   lands first (and the approval/push never happens) or sees the mark.
 * - After that point the install cannot be recalled: the request is recorded
 *   (`cancelRequested`) and honoured once that hop is verified. If more hops remain the job ends
 *   `cancelled` on a healthy intermediate version; if it was the last hop it ends `succeeded`
 *   and says the cancel came too late.
 */
import { ConflictError } from '#domain/errors.ts';
import type { Job, MessageRef } from '#domain/job.ts';
import { channelMoveNote } from '#domain/job-progress.ts';
import { describeHop, isActive, transition } from '#domain/job-transitions.ts';

export function isCancellable(job: Job): boolean {
  return isActive(job.state) && job.noReturnHop !== job.hop;
}

export interface CancelOptions {
  at: Date;
  /** The requester's own words, quoted in the reason. */
  note?: string;
  cause?: MessageRef;
}

/**
 * Applies a cancel request: the cancelled job when that is safe now, else the job with the
 * request recorded (unchanged, same version, when it was recorded already). Throws ConflictError
 * (JOB_FINISHED) for a job that has ended.
 */
export function requestCancel(job: Job, options: CancelOptions): Job {
  if (!isActive(job.state)) {
    throw new ConflictError(`job ${job.id} is already ${job.state}; there is nothing to cancel`, {
      code: 'JOB_FINISHED',
    });
  }
  if (isCancellable(job)) return cancelNow(job, options);
  if (job.cancelRequested) return job;
  const at = options.at.toISOString();
  return { ...job, version: job.version + 1, updatedAt: at, cancelRequested: true, cancelRequestedAt: at };
}

/** The cancelled job; only for a job that isCancellable. */
export function cancelNow(job: Job, options: CancelOptions): Job {
  const note = options.note ? ` (${options.note})` : '';
  const where = job.plan ? ` at ${describeHop(job)}` : '';
  const left = job.plan?.[job.hop]?.from ?? job.fromVersion ?? 'its installed version';
  const moved = channelMoveNote(job);
  const reason =
    `cancelled on request${note} while ${job.state}${where}; the cluster was left on ${left}` +
    (moved ? `, but ${moved}` : '');
  return transition(job, 'cancelled', {
    at: options.at,
    reason,
    ...(options.cause ? { cause: options.cause } : {}),
  });
}

/**
 * The job after its current hop was verified: the next hop, or the end. A cancel request that
 * waited for this hop to finish takes effect here.
 */
export function completeHop(job: Job, options: { at: Date; cause?: MessageRef }): Job {
  const hop = job.plan?.[job.hop];
  if (!hop)
    throw new ConflictError(`job ${job.id} has no hop ${job.hop} to complete`, {
      code: 'ILLEGAL_TRANSITION',
    });
  const cause = options.cause ? { cause: options.cause } : {};
  const last = job.hop + 1 >= (job.plan?.length ?? 0);
  if (last) {
    const late = job.cancelRequested
      ? '; the cancel request came after the last hop passed its point of no return'
      : '';
    return transition(job, 'succeeded', {
      at: options.at,
      reason: `cluster runs ${hop.to} (${hop.csv}) and every Redis instance is healthy${late}`,
      ...cause,
    });
  }
  if (job.cancelRequested) {
    return transition(job, 'cancelled', {
      at: options.at,
      reason:
        `cancel requested during ${describeHop(job)} after its point of no return; honoured once ` +
        `that hop was verified: the cluster runs ${hop.to}, target ${job.targetVersion} not reached`,
      ...cause,
    });
  }
  return transition(job, 'uploading', {
    at: options.at,
    hop: job.hop + 1,
    reason: `${describeHop(job)} verified; starting ${describeHop(job, job.hop + 1)}`,
    ...cause,
  });
}
