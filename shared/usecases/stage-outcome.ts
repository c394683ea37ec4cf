/**
 * What a step's outcome does to its job, for the stage runner (#usecases/stage-runner.ts): the
 * transition, completed hop or wait to commit, and how long until the job's next message. A wait
 * past the stage's deadline ends the job (`blocked` or `failed`: #domain/failure-state.ts), and
 * an error of the step is an outcome too (`outcomeOfError`).
 */
import { ConflictError, TransientError, UpgraderError } from '#domain/errors.ts';
import { failureState } from '#domain/failure-state.ts';
import {
  type ActiveJob,
  isActiveJob,
  isPlannedJob,
  type Job,
  type JobState,
  type MessageRef,
  type StageName,
} from '#domain/job.ts';
import { completeHop } from '#domain/job-cancel.ts';
import {
  backoffSeconds,
  countAttempt,
  deadlinePassed,
  formatDelay,
  recordWait,
  resumeNote,
} from '#domain/job-progress.ts';
import { type JobFacts, transition } from '#domain/job-transitions.ts';
import { pollDelaySeconds } from '#domain/poll-cadence.ts';
import { formatAge } from '#domain/prerequisites.ts';
import type { PipelineConfig } from '#usecases/pipeline-config.ts';
import { LostRace, type StepOutcome } from '#usecases/stage-step.ts';

export interface StageOutcomes {
  /**
   * TransientError and cluster ConflictError are transient waits, any other UpgraderError ends
   * the job; a lost race and anything else (a bug) are rethrown.
   */
  outcomeOfError(error: unknown): StepOutcome;
  /** Seconds until the job's next message: the wait's own, its poll, or its retry backoff. */
  waitDelay(job: ActiveJob, outcome: StepOutcome, now: Date): number;
  /** The job the outcome leaves, counting the attempt; `delay` is waitDelay's, for the reason. */
  apply(job: ActiveJob, outcome: StepOutcome, cause: MessageRef, now: Date, delay: number): Job;
}

/** The outcomes of `stage`'s steps; `random` spreads retry delays. */
export function makeStageOutcomes(
  stage: StageName,
  config: PipelineConfig,
  random: () => number,
): StageOutcomes {
  function outcomeOfError(error: unknown): StepOutcome {
    if (error instanceof LostRace) throw error;
    if (error instanceof TransientError || error instanceof ConflictError) {
      return { kind: 'wait', reason: error.message, transient: true };
    }
    if (error instanceof UpgraderError)
      return { kind: 'transition', to: failureState(stage), reason: error.message };
    throw error;
  }

  /** A job that ends failed says where it left the cluster and what to run next. */
  function end(
    job: ActiveJob,
    to: JobState,
    reason: string,
    at: Date,
    cause: MessageRef,
    extra: { facts?: JobFacts; unreachable?: true } = {},
  ): Job {
    const note = to === 'failed' ? resumeNote(job) : undefined;
    return transition(job, to, { at, reason: note ? `${reason}. Note: ${note}` : reason, cause, ...extra });
  }

  function apply(job: ActiveJob, outcome: StepOutcome, cause: MessageRef, now: Date, delay: number): Job {
    const counted = countAttempt(job, cause.stage, cause.hop);
    switch (outcome.kind) {
      case 'complete-hop':
        if (!isPlannedJob(counted)) throw new Error(`job ${job.id} has no hop to complete`);
        return completeHop(counted, { at: now, cause });
      case 'transition':
        return end(
          counted,
          outcome.to,
          outcome.reason,
          now,
          cause,
          outcome.facts ? { facts: outcome.facts } : {},
        );
      case 'wait': {
        const deadline = config.stageDeadlinesSeconds[stage];
        if (deadlinePassed(job, now, deadline)) {
          // Validate only reads the cluster: giving up on transient errors there means it was unreachable.
          const unreachable = stage === 'validate' && outcome.transient ? { unreachable: true as const } : {};
          const reason = `${stage} gave up after ${formatAge(deadline)}: ${outcome.reason}`;
          return end(counted, failureState(stage), reason, now, cause, unreachable);
        }
        if (!outcome.transient) return recordWait(counted, { at: now, reason: outcome.reason, cause });
        const retries = (job.step?.retries ?? 0) + 1;
        const reason = `${outcome.reason} (retry ${retries} in ${formatDelay(delay)})`;
        return recordWait(counted, { at: now, reason, cause, retries });
      }
      default:
        throw new Error(`unexpected outcome ${outcome.kind}`);
    }
  }

  function waitDelay(job: ActiveJob, outcome: StepOutcome, now: Date): number {
    if (outcome.kind !== 'wait') return 0;
    if (outcome.delaySeconds !== undefined) return outcome.delaySeconds;
    if (!outcome.transient) {
      return pollDelaySeconds(job, outcome.reason, now, {
        pollSeconds: config.pollSeconds[stage],
        // What the rollout's earlier jobs, or the wait history, took (#domain/stage-durations.ts).
        expectedSeconds: job.expectedWaits?.[stage],
      });
    }
    const backoff = { baseSeconds: config.retrySeconds, maxSeconds: config.maxRetrySeconds };
    return backoffSeconds(backoff, (job.step?.retries ?? 0) + 1, random());
  }

  return { outcomeOfError, waitDelay, apply };
}

/** A job that entered its state with a delayed first look, saying so. */
export function withWaitingFor(job: Job, waitingFor: string | undefined): Job {
  if (waitingFor === undefined || !isActiveJob(job)) return job;
  return { ...job, step: { ...job.step, waitingFor } };
}

/** The job with the time its expected message is due: the commit's time plus the send's delay. */
export function withDue(job: Job, at: Date, delaySeconds: number): Job {
  if (!isActiveJob(job)) return job;
  const due = new Date(at.getTime() + delaySeconds * 1000).toISOString();
  return { ...job, expected: { ...job.expected, due } };
}
