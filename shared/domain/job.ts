/**
 * The upgrade job (DESIGN.md 4.3). Types here are the contract shared by the stage use cases and
 * every JobStore adapter; the transition functions live beside them in this folder.
 */
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
export const STAGE_NAMES = ['validate', 'check-backup', 'upload-package', 'patch-subscription', 'verify'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export interface JobOptions {
  /** Create a RedisBackup for instances whose backups are stale, and wait for it. */
  takeBackup?: boolean;
  /** Explicit, logged override of the backup gate. */
  skipBackupCheck?: boolean;
  /** Maximum backup age in seconds (default 24 h). */
  maxBackupAgeSeconds?: number;
  /** Allow a pre-release target version. */
  includePrerelease?: boolean;
}

export interface Transition {
  from: JobState;
  to: JobState;
  at: string;
  reason?: string;
  hop?: number;
}

export interface Job {
  id: string;
  cluster: string;
  targetVersion: string;
  /** Learned from the cluster by `validate`, never trusted from the request. */
  fromVersion?: string;
  platformVersion?: string;
  plan?: Hop[];
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
}
