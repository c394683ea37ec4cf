/**
 * What a stage's step and the stage runner (#usecases/stage-runner.ts) exchange: the context a
 * step runs in and the outcome it returns. Apart from the runner so that steps, their helpers
 * (#usecases/claim.ts) and the runner's own parts depend on this contract, not on the runner.
 */
import type { ActiveJob, JobState, PlannedJob, StepProgress, UnplannedJob } from '#domain/job.ts';
import type { JobFacts } from '#domain/job-transitions.ts';
import type { Hop } from '#domain/planner.ts';
import type { WakeCondition } from '#domain/wake-condition.ts';
import type { ClusterClient, ClusterRecord, Log, StageMessage } from '#shared/ports.ts';
import type { PipelineConfig } from '#usecases/pipeline-config.ts';

export interface ClusterAccess {
  record: ClusterRecord;
  client: ClusterClient;
}

export type StepOutcome =
  /**
   * `wakeOn`: what the next stage waits for first; where it is watched, its first look waits for
   * it. `setOff: false`: this visit did not set that off (the package was on the cluster before
   * it), so earlier jobs' times say nothing of when it ends: the next stage looks at once.
   */
  | {
      kind: 'transition';
      to: JobState;
      reason: string;
      facts?: JobFacts;
      wakeOn?: WakeCondition;
      setOff?: false;
    }
  /** The hop is verified: next hop, succeeded, or a deferred cancel (#domain/job-cancel.ts). */
  | { kind: 'complete-hop' }
  /**
   * Not done yet: record the poll and re-enqueue after `delaySeconds` (default: the stage's poll).
   * A `transient` wait follows a failure that may pass (429, 5xx, timeout, refused connection):
   * its delay backs off with each one in a row, from `retrySeconds` up to `maxRetrySeconds`.
   * `wakeOn`: what would end the wait, for a runtime's Waker to deliver the message early.
   */
  | { kind: 'wait'; reason: string; delaySeconds?: number; transient?: boolean; wakeOn?: WakeCondition }
  /** Another worker holds a claim: re-send this very message later, write nothing. */
  | { kind: 'defer'; reason: string; delaySeconds: number };

export interface StepContext<J extends ActiveJob = ActiveJob> {
  /** The job as last committed by this invocation. */
  readonly job: J;
  readonly message: StageMessage;
  readonly now: Date;
  readonly config: PipelineConfig;
  readonly log: Log;
  cluster(): Promise<ClusterAccess>;
  /** Commits progress inside the stage; a lost race stops the invocation (acknowledged). */
  progress(patch: Partial<StepProgress>, options?: { noReturn?: boolean }): Promise<void>;
  /**
   * Commits progress on the latest stored job while `still(job)` holds, re-reading after races
   * with other writers (a cancel request, say). False when `still` no longer holds. For writes
   * that run beside the step (claim renewals), where a lost race must not end the step.
   */
  progressOnLatest(still: (job: J) => boolean, patch: (now: Date) => Partial<StepProgress>): Promise<boolean>;
}

/** validate's context: a job that has no plan yet. */
export type PlanningContext = StepContext<UnplannedJob>;

/** The context of the stages after validate: a planned job and the hop being worked on. */
export interface HopContext extends StepContext<PlannedJob> {
  readonly hop: Hop;
}

export type Step<C extends StepContext> = (context: C) => Promise<StepOutcome>;

/** Thrown when a conditional job write loses; the runner acknowledges the message. */
export class LostRace extends Error {}
