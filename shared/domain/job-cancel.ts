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
import {
  type ActiveJob,
  clusterFactsOf,
  isActiveJob,
  type Job,
  type MessageRef,
  type PlannedJob,
} from '#domain/job.ts';
import { channelMoveNote } from '#domain/job-progress.ts';
import { currentHop, describeHop, plannedHop, transition } from '#domain/job-transitions.ts';

export function isCancellable(job: ActiveJob): boolean {
  return job.noReturnHop !== job.hop;
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
  if (!isActiveJob(job)) {
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
export function cancelNow(job: ActiveJob, options: CancelOptions): Job {
  const note = options.note ? ` (${options.note})` : '';
  const where = currentHop(job) ? ` at ${describeHop(job)}` : '';
  const left = currentHop(job)?.from ?? clusterFactsOf(job).fromVersion ?? 'its installed version';
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
export function completeHop(job: PlannedJob, options: { at: Date; cause?: MessageRef }): Job {
  const hop = plannedHop(job);
  const cause = options.cause ? { cause: options.cause } : {};
  const last = job.hop + 1 >= job.plan.length;
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
