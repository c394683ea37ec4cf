/**
 * The upgrade job (DESIGN.md 4.3). Types here are the contract shared by the stage use cases and
 * every JobStore adapter; the transition functions live beside them in this folder.
 */

import type { JobOptions } from '#domain/job-options.ts';
import type { Hop } from '#domain/planner.ts';

export const ACTIVE_STATES = [
  'queued',
  'validating',
  'checking-backup',
  'uploading',
  'patching',
  'verifying',
] as const;
export const TERMINAL_STATES = ['succeeded', 'failed', 'blocked', 'cancelled'] as const;

export type ActiveState = (typeof ACTIVE_STATES)[number];
export type TerminalState = (typeof TERMINAL_STATES)[number];
export type JobState = ActiveState | TerminalState;

/** One queue per stage; a stage handler consumes exactly one of these. */
export const STAGE_NAMES = [
  'validate',
  'check-backup',
  'upload-package',
  'patch-subscription',
  'verify',
] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export type { JobOptions };

export interface Transition {
  from: JobState;
  to: JobState;
  at: string;
  reason?: string;
  hop?: number;
}

/**
 * A stage message as the job remembers it. `seq` is the job version at the commit that sent it;
 * `id` is unique per send (a redelivery of one send keeps it, a re-emission gets a new one).
 */
export interface MessageRef {
  stage: StageName;
  hop: number;
  seq: number;
  id?: string;
}

/** Progress inside the current state and hop; cleared by every transition. */
export interface StepProgress {
  /** What the stage is waiting for, in words (shown by status and logs). */
  waitingFor?: string;
  /** A side effect (package push, backup creation) was claimed at this time (#usecases/claim.ts). */
  claimedAt?: string;
  /** Which claim: the holder renews and completes only its own, so a taken-over claim stays taken. */
  claimId?: string;
  /** The claim is presumed alive until then; its holder renews it while the effect runs. */
  leaseUntil?: string;
  /** Transient failures (429, 5xx, timeouts, refused connections) in a row; each wait backs off. */
  retries?: number;
  /** The claimed side effect completed. */
  doneAt?: string;
  /** RedisBackups created by `takeBackup`, as namespace/name. */
  backups?: string[];
  /** The InstallPlan this job approved (or is approving) for the hop, as namespace/name. */
  approvedPlan?: string;
  /**
   * The Subscription channel this hop moves away from, recorded before the channel patch: a
   * patch that lands just before a crash is still known, and a cancel that commits first stops it.
   */
  channelMovedFrom?: string;
}

export interface Job {
  id: string;
  cluster: string;
  targetVersion: string;
  /** Learned from the cluster by `validate`, never trusted from the request. */
  fromVersion?: string;
  platformVersion?: string;
  plan?: Hop[];
  /**
   * The Redis instances validate found (as `Kind namespace/name`): verify requires every one of
   * them to be there and healthy again, so an instance lost in the upgrade is never passed over.
   */
  instances?: string[];
  /** Index into plan of the hop being worked on. */
  hop: number;
  state: JobState;
  /** Optimistic-concurrency version; every write is conditional on it. */
  version: number;
  options: JobOptions;
  callbackUrl?: string;
  batchId?: string;
  /** Why the job ended (blocked/failed/cancelled), naming the resources at fault. */
  reason?: string;
  cancelRequested?: boolean;
  /** Attempts per stage and hop, e.g. { "upload-package:0": 2 }. */
  attempts: Record<string, number>;
  /** When the current stage started waiting (for deadlines of delayed re-enqueues). */
  stageStartedAt?: string;
  transitions: Transition[];
  createdAt: string;
  updatedAt: string;
  /** The one stage message the job waits for; processing it is the only way forward. Unset when terminal. */
  expected?: MessageRef;
  /** The message whose processing made the latest stage commit: its redelivery re-emits `expected`. */
  causedBy?: MessageRef;
  /**
   * The hop whose install can no longer be recalled (the approval on Manual subscriptions, the
   * push on Automatic ones). A cancel request during that hop takes effect after its verify.
   */
  noReturnHop?: number;
  step?: StepProgress;
  cancelRequestedAt?: string;
  finishedAt?: string;
}
