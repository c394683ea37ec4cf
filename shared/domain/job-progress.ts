/**
 * Writes that are not state changes: waiting, progress inside a stage, attempts.
 *
 * Waiting (docs/architecture.md §4) is a re-enqueue with a delay. Each wait is a commit that bumps the
 * version and re-points `expected` at the new version, and the re-enqueued message carries that
 * new seq. So every poll is recorded (attempts, what it waits for), and any older copy of a poll
 * message is stale by construction: a delayed re-enqueue is never mistaken for a duplicate, and a
 * duplicate is never mistaken for the live poll.
 *
 * Progress commits (claims before side effects) bump the version too but keep `expected`: the
 * message being processed stays the live one, while a concurrent copy of it loses the
 * conditional write and stops before repeating the side effect.
 */
import {
  type ActiveJob,
  type Attempt,
  clusterFactsOf,
  type Job,
  type MessageRef,
  type StageName,
  type StepProgress,
} from '#domain/job.ts';
import { currentHop } from '#domain/job-transitions.ts';

/** Counts one run of `stage` on `hop` (every processed message is one attempt). */
export function countAttempt<J extends ActiveJob>(job: J, stage: StageName, hop: number): J {
  const counted = job.attempts.some((attempt) => attempt.stage === stage && attempt.hop === hop);
  const attempts = counted
    ? job.attempts.map((attempt) =>
        attempt.stage === stage && attempt.hop === hop ? { ...attempt, count: attempt.count + 1 } : attempt,
      )
    : [...job.attempts, { stage, hop, count: 1 }];
  return { ...job, attempts };
}

/** Attempts as the API shows them: a count per `stage:hop`. */
export function attemptsByStageAndHop(attempts: readonly Attempt[]): Record<string, number> {
  return Object.fromEntries(attempts.map(({ stage, hop, count }) => [`${stage}:${hop}`, count]));
}

export interface WaitOptions {
  at: Date;
  /** What the stage waits for, in words. */
  reason: string;
  cause?: MessageRef;
  /** Transient failures in a row, this one included; absent for an ordinary poll (resets the count). */
  retries?: number;
}

/** Polls in a row that found what `reason` says, before this one (a transient failure breaks the run). */
export function samePolls(job: ActiveJob, reason: string): number {
  return job.step?.waitingFor === reason && job.step.retries === undefined ? (job.step.polls ?? 0) : 0;
}

/** Records a poll that found the stage not done yet; the caller re-enqueues `expected` with a delay. */
export function recordWait<J extends ActiveJob>(job: J, options: WaitOptions): J {
  const version = job.version + 1;
  const next: J = {
    ...job,
    version,
    updatedAt: options.at.toISOString(),
    step: dropUndefined({
      ...job.step,
      waitingFor: options.reason,
      retries: options.retries,
      polls: options.retries === undefined ? samePolls(job, options.reason) + 1 : undefined,
    }),
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
export function recordProgress<J extends ActiveJob>(
  job: J,
  patch: Partial<StepProgress>,
  options: ProgressOptions,
): J {
  const next: J = {
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
export function channelMoveNote(job: ActiveJob): string | undefined {
  const from = job.step?.channelMovedFrom;
  const to = currentHop(job)?.channel;
  if (!from || !to || from === to) return undefined;
  return `the Subscription was moved from channel ${from} to ${to} for this hop; move it back to ${from} if you do not retry`;
}

export interface Backoff {
  baseSeconds: number;
  maxSeconds: number;
}

/**
 * The delay before retry number `retry` (1, 2, ...) after transient failures: doubling from the
 * base up to the cap, spread by +-25% (`random` in [0, 1)) so that clusters failing together,
 * say in a platform outage, do not all come back in the same second.
 */
export function backoffSeconds(backoff: Backoff, retry: number, random: number): number {
  const exponential = backoff.baseSeconds * 2 ** Math.max(0, retry - 1);
  return Math.min(exponential, backoff.maxSeconds) * (0.75 + 0.5 * random);
}

/**
 * What a job that ends failed must say about where it left the cluster, or undefined when that
 * is the version it started from: the versions verified so far, a hop whose install was started,
 * and that a new upgrade to the same target continues from the installed version.
 */
export function resumeNote(job: Job): string | undefined {
  const { plan } = clusterFactsOf(job);
  const hop = plan?.[job.hop];
  if (!plan || !hop) return undefined;
  const again = `a new upgrade to ${job.targetVersion} reads the installed version and continues from there`;
  if (job.noReturnHop === job.hop) {
    return (
      `the install of ${hop.to} (hop ${job.hop + 1} of ${plan.length}) had been started, so the cluster ` +
      `is on ${hop.from} or ${hop.to} (see the Subscription's installedCSV); ${again}`
    );
  }
  if (job.hop === 0) return undefined;
  return `the cluster is on ${hop.from}, verified after ${job.hop} of ${plan.length} hops; ${again}`;
}

/** A delay in words for `waitingFor`: 0.2s, 45s, 4m. */
export function formatDelay(seconds: number): string {
  if (seconds < 10) return `${Number(seconds.toFixed(1))}s`;
  if (seconds < 120) return `${Math.round(seconds)}s`;
  return `${Math.round(seconds / 60)}m`;
}

/** Seconds the job has spent in its current state. */
export function secondsInState(job: ActiveJob, now: Date): number {
  const since = Date.parse(job.stageStartedAt);
  return Math.max(0, (now.getTime() - since) / 1000);
}

export function deadlinePassed(job: ActiveJob, now: Date, deadlineSeconds: number): boolean {
  return secondsInState(job, now) >= deadlineSeconds;
}
