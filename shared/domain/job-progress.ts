/**
 * Writes that are not state changes: waiting, progress inside a stage, attempts.
 *
 * Waiting (DESIGN.md 4.4) is a re-enqueue with a delay. Each wait is a commit that bumps the
 * version and re-points `expected` at the new version, and the re-enqueued message carries that
 * new seq. So every poll is recorded (attempts, what it waits for), and any older copy of a poll
 * message is stale by construction: a delayed re-enqueue is never mistaken for a duplicate, and a
 * duplicate is never mistaken for the live poll.
 *
 * Progress commits (claims before side effects) bump the version too but keep `expected`: the
 * message being processed stays the live one, while a concurrent copy of it loses the
 * conditional write and stops before repeating the side effect.
 */
import type { Job, MessageRef, StageName, StepProgress } from '#domain/job.ts';

export function attemptKey(stage: StageName, hop: number): string {
  return `${stage}:${hop}`;
}

/** Counts one run of `stage` on `hop` (every processed message is one attempt). */
export function countAttempt(job: Job, stage: StageName, hop: number): Job {
  const key = attemptKey(stage, hop);
  return { ...job, attempts: { ...job.attempts, [key]: (job.attempts[key] ?? 0) + 1 } };
}

export interface WaitOptions {
  at: Date;
  /** What the stage waits for, in words. */
  reason: string;
  cause?: MessageRef;
}

/** Records a poll that found the stage not done yet; the caller re-enqueues `expected` with a delay. */
export function recordWait(job: Job, options: WaitOptions): Job {
  if (!job.expected) throw new Error(`job ${job.id} is ${job.state}: nothing to wait for`);
  const version = job.version + 1;
  const next: Job = {
    ...job,
    version,
    updatedAt: options.at.toISOString(),
    step: { ...job.step, waitingFor: options.reason },
    expected: { ...job.expected, seq: version },
  };
  if (options.cause) next.causedBy = options.cause;
  return next;
}

export interface ProgressOptions {
  at: Date;
  /** Marks the current hop as past its point of no return. */
  noReturn?: boolean;
}

/** Records progress inside the current stage without changing the expected message. */
export function recordProgress(job: Job, patch: Partial<StepProgress>, options: ProgressOptions): Job {
  const next: Job = {
    ...job,
    version: job.version + 1,
    updatedAt: options.at.toISOString(),
    step: dropUndefined({ ...job.step, ...patch }),
  };
  if (options.noReturn) next.noReturnHop = job.hop;
  return next;
}

function dropUndefined(step: StepProgress): StepProgress {
  return Object.fromEntries(Object.entries(step).filter(([, value]) => value !== undefined)) as StepProgress;
}

/**
 * What a job that ends during a hop must say when that hop had moved the Subscription to another
 * channel (the cluster is then not as it was), or undefined.
 */
export function channelMoveNote(job: Job): string | undefined {
  const from = job.step?.channelMovedFrom;
  const to = job.plan?.[job.hop]?.channel;
  if (!from || !to || from === to) return undefined;
  return `the Subscription was moved from channel ${from} to ${to} for this hop; move it back to ${from} if you do not retry`;
}

/** Seconds the job has spent in its current state. */
export function secondsInState(job: Job, now: Date): number {
  const since = Date.parse(job.stageStartedAt ?? job.updatedAt);
  return Math.max(0, (now.getTime() - since) / 1000);
}

export function deadlinePassed(job: Job, now: Date, deadlineSeconds: number): boolean {
  return secondsInState(job, now) >= deadlineSeconds;
}
