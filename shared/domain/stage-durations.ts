/**
 * How long a job spent in each stage, and what that tells the jobs that follow it. A rollout
 * keeps the times of its first succeeded jobs (Batch.waitSamples) and starts each later job
 * with their lower quartile (Job.expectedWaits): the later job's waits look first when the
 * earlier ones ended (#domain/poll-cadence.ts), not at every poll of a catalog sync.
 *
 * A process's own memory of waits is not enough on AWS: each Lambda instance would learn alone,
 * and a wave spread over instances that never saw the canary would poll as if nothing had been
 * learned. The job carries what it needs, so every runtime times it alike. A job its rollout has
 * nothing to tell takes the wait history's times instead (#domain/wait-history.ts).
 */
import {
  type ActiveJob,
  type Job,
  PLANNED_STATES,
  type PlannedState,
  type StageName,
  type StageSeconds,
} from '#domain/job.ts';
import { formatDelay } from '#domain/job-progress.ts';
import { STAGE_OF_STATE } from '#domain/job-transitions.ts';
import { lowerQuartile } from '#domain/poll-cadence.ts';

/** Times of several jobs by stage, each list at most WAIT_SAMPLES long. */
export type WaitSamples = Partial<Record<StageName, number[]>>;

/** Samples kept per stage: the first jobs to succeed (the canary, the first wave) are enough. */
export const WAIT_SAMPLES = 20;

const isPlanned = (state: string): state is PlannedState =>
  (PLANNED_STATES as readonly string[]).includes(state);

/**
 * Stages whose first look only reads: what they wait for was set off before they began (the
 * catalog sync by the upload, the install by the approval). Upload and check-backup start their
 * own work (the push, the backups) at their first look, so theirs is never put off.
 */
const FIRST_LOOK_ONLY_READS: readonly StageName[] = ['patch-subscription', 'verify'];

/**
 * Seconds a succeeded job spent in each stage that works on the cluster (check-backup to
 * verify), from its transitions; the shortest visit when a stage ran once per hop. A stage the
 * job was told to expect is left out: its time is at least its first look, so it could only
 * confirm the expectation, never correct it.
 */
export function stageSeconds(job: Job): StageSeconds {
  if (job.state !== 'succeeded') return {};
  const seconds: StageSeconds = {};
  job.transitions.forEach((entered, index) => {
    const left = job.transitions.slice(index + 1).find((t) => t.from === entered.to);
    if (!left || !isPlanned(entered.to)) return;
    const stage = STAGE_OF_STATE[entered.to];
    if (job.expectedWaits?.[stage] !== undefined) return;
    const visit = Math.round((Date.parse(left.at) - Date.parse(entered.at)) / 1000);
    if (visit >= 0) seconds[stage] = Math.min(visit, seconds[stage] ?? visit);
  });
  return seconds;
}

/** `samples` with one more job's times, each stage's list kept to WAIT_SAMPLES. */
export function addWaitSamples(samples: WaitSamples, job: StageSeconds): WaitSamples {
  const next: WaitSamples = structuredClone(samples);
  for (const [stage, seconds] of Object.entries(job) as [StageName, number][]) {
    const kept = next[stage] ?? [];
    if (kept.length < WAIT_SAMPLES) next[stage] = [...kept, seconds];
  }
  return next;
}

/**
 * A job that just entered a stage: when to look first, if the earlier jobs of its rollout had to
 * wait in that stage (at least its poll). Looking at once would only find what they found then
 * (a catalog not synced yet, an install under way), at the price of a message, a job write and
 * its reads. The wait says so, since every wait says what it waits for. At least a poll before
 * the stage's deadline (shortened since those jobs ran), so the look is never the job's last.
 */
export function firstLook(
  job: ActiveJob,
  stage: { pollSeconds: number; deadlineSeconds: number },
): { seconds: number; waitingFor: string } | undefined {
  const name = job.expected.stage;
  const took = job.expectedWaits?.[name];
  if (took === undefined || !FIRST_LOOK_ONLY_READS.includes(name)) return undefined;
  const seconds = Math.min(took, stage.deadlineSeconds - stage.pollSeconds);
  if (seconds < stage.pollSeconds) return undefined;
  return {
    seconds,
    waitingFor: `the first look, ${formatDelay(seconds)} in: earlier upgrades took ${formatDelay(took)} in ${name}`,
  };
}

/** What a job started now should expect of each stage: the lower quartile of the samples; nothing learned, undefined. */
export function expectedWaits(samples: WaitSamples): StageSeconds | undefined {
  const expected: StageSeconds = {};
  for (const [stage, seconds] of Object.entries(samples) as [StageName, number[]][]) {
    const quartile = lowerQuartile(seconds);
    if (quartile !== undefined) expected[stage] = quartile;
  }
  return Object.keys(expected).length > 0 ? expected : undefined;
}
