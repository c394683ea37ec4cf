/**
 * The job state machine of DESIGN.md 4.3. Every function returns a new job; a state change bumps
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
  ACTIVE_STATES,
  type ActiveState,
  type Job,
  type JobOptions,
  type JobState,
  type MessageRef,
  type StageName,
  TERMINAL_STATES,
  type TerminalState,
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

export function isTerminal(state: JobState): state is TerminalState {
  return (TERMINAL_STATES as readonly string[]).includes(state);
}

export function isActive(state: JobState): state is ActiveState {
  return (ACTIVE_STATES as readonly string[]).includes(state);
}

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
}

export function newJob(input: NewJobInput): Job {
  const at = input.at.toISOString();
  const job: Job = {
    id: input.id,
    cluster: input.cluster,
    targetVersion: input.targetVersion,
    hop: 0,
    state: 'queued',
    version: 1,
    options: { ...input.options },
    attempts: {},
    transitions: [],
    createdAt: at,
    updatedAt: at,
    stageStartedAt: at,
    expected: { stage: 'validate', hop: 0, seq: 1 },
  };
  if (input.callbackUrl !== undefined) job.callbackUrl = input.callbackUrl;
  if (input.batchId !== undefined) job.batchId = input.batchId;
  return job;
}

export interface TransitionOptions {
  at: Date;
  reason?: string;
  /** The hop after the transition; only verifying -> uploading moves it, to exactly hop + 1. */
  hop?: number;
  /** The stage message whose processing made this transition. */
  cause?: MessageRef;
}

function nextHop(job: Job, to: JobState, hop: number | undefined): number {
  if (hop === undefined || hop === job.hop) {
    if (job.state === 'verifying' && to === 'uploading') {
      throw new ConflictError(`job ${job.id}: verifying -> uploading must move to the next hop`, {
        code: 'ILLEGAL_TRANSITION',
      });
    }
    return job.hop;
  }
  const planLength = job.plan?.length ?? 0;
  if (job.state !== 'verifying' || to !== 'uploading' || hop !== job.hop + 1 || hop >= planLength) {
    throw new ConflictError(
      `job ${job.id}: cannot move from hop ${job.hop} to hop ${hop} on ${job.state} -> ${to} (plan has ${planLength} hops)`,
      { code: 'ILLEGAL_TRANSITION' },
    );
  }
  return hop;
}

/** Returns the job after `job.state -> to`, or throws ConflictError (ILLEGAL_TRANSITION). */
export function transition(job: Job, to: JobState, options: TransitionOptions): Job {
  if (!canTransition(job.state, to)) {
    throw new ConflictError(`job ${job.id}: illegal transition ${job.state} -> ${to}`, {
      code: 'ILLEGAL_TRANSITION',
    });
  }
  const hop = nextHop(job, to, options.hop);
  const at = options.at.toISOString();
  const version = job.version + 1;
  const { step: _step, expected: _expected, causedBy: _causedBy, ...rest } = job;
  const next: Job = {
    ...rest,
    state: to,
    hop,
    version,
    updatedAt: at,
    transitions: [
      ...job.transitions,
      { from: job.state, to, at, hop, ...(options.reason === undefined ? {} : { reason: options.reason }) },
    ],
  };
  if (options.cause) next.causedBy = options.cause;
  if (isActive(to)) {
    next.stageStartedAt = at;
    next.expected = { stage: STAGE_OF_STATE[to], hop, seq: version };
  } else {
    next.finishedAt = at;
    if (options.reason !== undefined) next.reason = options.reason;
  }
  return next;
}

/** The hop being worked on, or undefined before validate has planned. */
export function currentHop(job: Job): Hop | undefined {
  return job.plan?.[job.hop];
}

/** Hop position in words for reasons and logs, e.g. `hop 2/3 (4.0.3 -> 4.2.1)`. */
export function describeHop(job: Job, index = job.hop): string {
  const hop = job.plan?.[index];
  if (!hop) return `hop ${index + 1}`;
  return `hop ${index + 1}/${job.plan?.length} (${hop.from} -> ${hop.to})`;
}
