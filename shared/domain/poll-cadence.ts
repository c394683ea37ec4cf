/**
 * When a waiting stage looks at the cluster again (docs/decisions/0002-polling-and-watches.md).
 *
 * A catalog sync takes 10-15 minutes on ACP and an install a few; polling them every 30 s cost
 * thirty-odd reads and queue messages per hop for one answer. Two rules cut that without ever
 * making a job depend on anything but its own delayed message:
 *
 * - The first check of a stage visit comes when the stage's recent waits suggest it will be done:
 *   the lower quartile of how long the stage took for the earlier jobs of the job's rollout
 *   (#domain/stage-durations.ts), or else for the latest upgrades (#domain/wait-history.ts); never
 *   sooner than the stage's poll. Nothing learned yet: the poll.
 * - Polls that keep finding the same thing back off, doubling from the poll up to
 *   POLL_BACKOFF_CAP times it; a change in what the cluster reports (the CSV appeared, the
 *   install moved on) starts again at the poll, since the next step is probably near.
 *
 * Transient failures keep their own backoff (#domain/job-progress.ts backoffSeconds).
 */
import type { ActiveJob } from '#domain/job.ts';
import { samePolls, secondsInState } from '#domain/job-progress.ts';

export const POLL_BACKOFF_CAP = 8;

/**
 * A wait a runtime watches for (#usecases/wake-on-change.ts) is woken when it ends; its delayed
 * message is only the safety net for a watch that broke or hangs, so it comes after this many
 * polls (16 minutes at patch-subscription's 30 s, longer than a catalog sync), never later than
 * the stage's deadline, so a wait that never ends is still ended on time.
 */
export const WATCHED_WAIT_POLLS = 32;

export function watchedDelaySeconds(
  delaySeconds: number,
  cadence: { pollSeconds: number; secondsLeft: number },
): number {
  const safetyNet = Math.max(delaySeconds, cadence.pollSeconds * WATCHED_WAIT_POLLS);
  return Math.max(cadence.pollSeconds, Math.min(safetyNet, Math.ceil(cadence.secondsLeft)));
}

export interface PollCadence {
  /** The stage's poll interval. */
  pollSeconds: number;
  /** What the stage took for earlier jobs (Job.expectedWaits), if known. */
  expectedSeconds?: number | undefined;
}

/** Seconds until the next check of a stage that found `reason` and is not done yet. */
export function pollDelaySeconds(job: ActiveJob, reason: string, now: Date, cadence: PollCadence): number {
  const { pollSeconds, expectedSeconds } = cadence;
  const firstWait = job.step?.waitingFor === undefined;
  if (firstWait && expectedSeconds !== undefined) {
    return Math.max(pollSeconds, Math.round(expectedSeconds - secondsInState(job, now)));
  }
  return pollSeconds * 2 ** Math.min(samePolls(job, reason), Math.log2(POLL_BACKOFF_CAP));
}

/** Where waits are expected to end: most are not over before it, few long ones make it late. */
export function lowerQuartile(seconds: readonly number[]): number | undefined {
  const sorted = [...seconds].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 4)];
}
