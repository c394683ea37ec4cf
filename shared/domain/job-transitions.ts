/**
 * The job state machine of docs/architecture.md §4. Every function returns a new job; a state change bumps
 * `version` by one, so the store's conditional write on the previous version is what makes a
 * transition happen at most once.
 *
 * State and stage: an active state names the stage working on the job, and entering it sets the
 * one message the job then expects (`expected`): validating <- validate, checking-backup <-
 * check-backup, uploading <- upload-package, patching <- patch-subscription, verifying <- verify.
 * `queued` also expects `validate`, whose first act is queued -> validating.
 */
import { ConflictError } from '#domain/errors.ts';
import {
  type ActiveJob,
  type ActiveState,
  type ClusterFacts,
  clusterFactsOf,
  type FinishedJob,
  isActiveJob,
  isTerminal,
  type Job,
  type JobOptions,
  type JobState,
  type MessageRef,
  type PlannedJob,
  type PlannedState,
  type StageName,
  type StageSeconds,
  type TerminalState,
  type UnplannedJob,
  type UnplannedState,
} from '#domain/job.ts';
import type { Hop } from '#domain/planner.ts';

export const STAGE_OF_STATE: Readonly<Record<ActiveState, StageName>> = {
  queued: 'validate',
  validating: 'validate',
  'checking-backup': 'check-backup',
  uploading: 'upload-package',
  patching: 'patch-subscription',
  verifying: 'verify',
};

/** The state a stage works in (the state its message is sent on entering). */
export const STATE_OF_STAGE: Readonly<Record<StageName, ActiveState>> = {
  validate: 'validating',
  'check-backup': 'checking-backup',
  'upload-package': 'uploading',
  'patch-subscription': 'patching',
  verify: 'verifying',
};

/**
 * Allowed transitions. `blocked` (a gate said no and nothing was changed) is reachable only from
 * the gates: validate, check-backup, and the InstallPlan check before approval. `succeeded` is
 * reachable from validating only for a zero-hop plan (already at the target).
 */
export const ALLOWED_TRANSITIONS: Readonly<Record<JobState, readonly JobState[]>> = {
  queued: ['validating', 'failed', 'cancelled'],
  validating: ['checking-backup', 'succeeded', 'blocked', 'failed', 'cancelled'],
  'checking-backup': ['uploading', 'blocked', 'failed', 'cancelled'],
  uploading: ['patching', 'failed', 'cancelled'],
  patching: ['verifying', 'blocked', 'failed', 'cancelled'],
  verifying: ['uploading', 'succeeded', 'failed', 'cancelled'],
  succeeded: [],
  failed: [],
  blocked: [],
  cancelled: [],
};

export function canTransition(from: JobState, to: JobState): boolean {
  return ALLOWED_TRANSITIONS[from].includes(to);
}

export interface NewJobInput {
  id: string;
  cluster: string;
  targetVersion: string;
  at: Date;
  options?: JobOptions;
  callbackUrl?: string;
  batchId?: string;
  expectedWaits?: StageSeconds;
}

export function newJob(input: NewJobInput): UnplannedJob {
  const at = input.at.toISOString();
  const job: UnplannedJob = {
    id: input.id,
    cluster: input.cluster,
    targetVersion: input.targetVersion,
    hop: 0,
    state: 'queued',
    version: 1,
    options: { ...input.options },
    attempts: [],
    transitions: [],
    createdAt: at,
    updatedAt: at,
    stageStartedAt: at,
    expected: { stage: 'validate', hop: 0, seq: 1 },
  };
  if (input.callbackUrl !== undefined) job.callbackUrl = input.callbackUrl;
  if (input.batchId !== undefined) job.batchId = input.batchId;
  if (input.expectedWaits !== undefined) job.expectedWaits = input.expectedWaits;
  return job;
}

/** What validate learned, and the point of no return a stage passed, recorded with a transition. */
export type JobFacts = Partial<ClusterFacts> & { noReturnHop?: number };

export interface TransitionOptions {
  at: Date;
  reason?: string;
  /** The hop after the transition; only verifying -> uploading moves it, to exactly hop + 1. */
  hop?: number;
  /** The stage message whose processing made this transition. */
  cause?: MessageRef;
  facts?: JobFacts;
  /** The job ends because the cluster could not be reached (job.ts `unreachable`). */
  unreachable?: true;
}

/** A job ends with a reason: it is what the operator reads first. */
type Ending = TransitionOptions & { reason: string };

function illegal(job: Job, message: string): ConflictError {
  return new ConflictError(`job ${job.id}: ${message}`, { code: 'ILLEGAL_TRANSITION' });
}

function nextHop(job: Job, to: JobState, hop: number | undefined): number {
  if (hop === undefined || hop === job.hop) {
    if (job.state === 'verifying' && to === 'uploading') {
      throw illegal(job, 'verifying -> uploading must move to the next hop');
    }
    return job.hop;
  }
  const planLength = clusterFactsOf(job).plan?.length ?? 0;
  if (job.state !== 'verifying' || to !== 'uploading' || hop !== job.hop + 1 || hop >= planLength) {
    throw illegal(
      job,
      `cannot move from hop ${job.hop} to hop ${hop} on ${job.state} -> ${to} (plan has ${planLength} hops)`,
    );
  }
  return hop;
}

/** A planned state needs what validate learns: the installed version, a plan and the instances. */
function planned(job: Job, facts: Partial<ClusterFacts>, to: PlannedState): ClusterFacts {
  const { fromVersion, platformVersion, plan, instances } = facts;
  if (fromVersion === undefined || !plan?.length || instances === undefined) {
    throw illegal(job, `cannot enter ${to} without the installed version, a plan and the instances`);
  }
  return { fromVersion, plan, instances, ...(platformVersion === undefined ? {} : { platformVersion }) };
}

/**
 * Returns the job after `job.state -> to`, or throws ConflictError (ILLEGAL_TRANSITION). A job
 * that ends needs a reason; one that enters a planned state needs the facts of a plan.
 */
export function transition(job: Job, to: UnplannedState, options: TransitionOptions): UnplannedJob;
export function transition(job: Job, to: PlannedState, options: TransitionOptions): PlannedJob;
export function transition(job: Job, to: ActiveState, options: TransitionOptions): ActiveJob;
export function transition(job: Job, to: TerminalState, options: Ending): FinishedJob;
export function transition(job: Job, to: JobState, options: Ending): Job;
export function transition(job: Job, to: JobState, options: TransitionOptions): Job {
  if (!isActiveJob(job) || !canTransition(job.state, to)) {
    throw illegal(job, `illegal transition ${job.state} -> ${to}`);
  }
  const hop = nextHop(job, to, options.hop);
  const at = options.at.toISOString();
  const version = job.version + 1;
  const { step: _step, expected: _expected, causedBy: _causedBy, stageStartedAt: _started, ...kept } = job;
  const { noReturnHop, ...facts } = options.facts ?? {};
  const next = {
    ...kept,
    hop,
    version,
    updatedAt: at,
    transitions: [
      ...job.transitions,
      { from: job.state, to, at, hop, ...(options.reason === undefined ? {} : { reason: options.reason }) },
    ],
    ...(options.cause ? { causedBy: options.cause } : {}),
    ...(noReturnHop === undefined ? {} : { noReturnHop }),
  };
  if (isTerminal(to)) {
    if (options.reason === undefined) throw illegal(job, `cannot end ${to} without a reason`);
    const unreachable = options.unreachable ? { unreachable: true as const } : {};
    return { ...next, ...facts, state: to, finishedAt: at, reason: options.reason, ...unreachable };
  }
  const active = { ...next, stageStartedAt: at, expected: { stage: STAGE_OF_STATE[to], hop, seq: version } };
  if (to === 'queued' || to === 'validating') return { ...active, state: to };
  return { ...active, ...planned(job, { ...clusterFactsOf(job), ...facts }, to), state: to };
}

/** The hop being worked on, or undefined before validate has planned. */
export function currentHop(job: Job): Hop | undefined {
  return clusterFactsOf(job).plan?.[job.hop];
}

/** The hop a planned job works on; its plan always has it (job.ts). */
export function plannedHop(job: PlannedJob): Hop {
  const hop = job.plan[job.hop];
  if (!hop) throw illegal(job, `has no hop ${job.hop} in its plan of ${job.plan.length}`);
  return hop;
}

/** Hop position in words for reasons and logs, e.g. `hop 2/3 (4.0.3 -> 4.2.1)`. */
export function describeHop(job: Job, index = job.hop): string {
  const plan = clusterFactsOf(job).plan;
  const hop = plan?.[index];
  if (!plan || !hop) return `hop ${index + 1}`;
  return `hop ${index + 1}/${plan.length} (${hop.from} -> ${hop.to})`;
}
