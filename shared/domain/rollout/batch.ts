/**
 * A batch: one rollout of a target version across many clusters, as the store keeps it. Every
 * change goes through `decide` (#domain/rollout/decide.ts) and is written conditionally on
 * `version`, so two deciders racing on one batch cannot both commit.
 */
import type { JobState } from '#domain/job.ts';
import type { WaitSamples } from '#domain/stage-durations.ts';
import type { BatchRequest, Strategy } from './batch-request.ts';
import type { PlannedWave } from './wave-plan.ts';

export const BATCH_STATES = [
  'running',
  'baking',
  'awaiting-approval',
  'outside-window',
  'paused',
  'halted',
  'succeeded',
  'completed-with-failures',
  'cancelled',
] as const;
export type BatchState = (typeof BATCH_STATES)[number];

/** A batch in one of these never starts another job. */
export const FINAL_BATCH_STATES = ['succeeded', 'completed-with-failures', 'cancelled'] as const;

/**
 * Where each cluster of a batch is. `upgraded`: its job succeeded, the re-check after the bake
 * is still to come; `succeeded`: upgraded and re-checked healthy. `skipped`: another job held it
 * (when the batch was created or when its turn came) and the strategy said `skipBusy`.
 */
export const OPEN_CLUSTER_STATES = [
  'pending',
  'starting',
  'started',
  'deferred-unreachable',
  'upgraded',
] as const;
export const TERMINAL_CLUSTER_STATES = [
  'succeeded',
  'recheck-failed',
  'failed',
  'blocked',
  'cancelled',
  'skipped',
] as const;
export const CLUSTER_STATES = [...OPEN_CLUSTER_STATES, ...TERMINAL_CLUSTER_STATES] as const;
export type ClusterRolloutState = (typeof CLUSTER_STATES)[number];

export function isTerminalCluster(state: ClusterRolloutState): boolean {
  return (TERMINAL_CLUSTER_STATES as readonly ClusterRolloutState[]).includes(state);
}

/** A job is running for the cluster, or about to (counted against maxConcurrency). */
export function isRunning(state: ClusterRolloutState): boolean {
  return state === 'starting' || state === 'started';
}

/** How many of the batch's jobs are starting or running. */
export function runningJobs(batch: Pick<Batch, 'clusters'>): number {
  return batch.clusters.filter((cluster) => isRunning(cluster.state)).length;
}

export interface HopProgress {
  /** 0-based index of the hop being worked on. */
  index: number;
  count: number;
  from?: string;
  to?: string;
}

export interface BatchCluster {
  name: string;
  /** Index into `waves`; a deferred cluster moves to the retry wave at the end. */
  wave: number;
  state: ClusterRolloutState;
  /** Jobs started for it so far (1 + retries of an unreachable cluster). */
  attempt: number;
  /** The job of the current attempt, once a job report named it. */
  jobId?: string;
  /** Jobs of earlier attempts: reports about them are stale. */
  pastJobIds?: string[];
  /** The job's latest known state while it runs. */
  jobState?: JobState;
  hop?: HopProgress;
  /** Why it is in its state, in words (blocked, failed, deferred, re-check). */
  reason?: string;
  startedAt?: string;
  finishedAt?: string;
  /** A deferred cluster is retried from then on. */
  retryAt?: string;
  cancelRequested?: boolean;
  recheckedAt?: string;
  /** Predicted job duration (rehearsal), for ETAs. */
  estimateSeconds?: number;
}

/** A wave as the batch keeps it; its clusters are those whose `wave` is its index. */
export interface BatchWave extends Omit<PlannedWave, 'clusters'> {
  index: number;
  /** Starts only once approved (POST /batches/{id}/approve). */
  needsApproval: boolean;
  approvedAt?: string;
  approvedBy?: string;
  startedAt?: string;
  /** Every job of the wave was terminal; the bake started. */
  jobsDoneAt?: string;
  bakeUntil?: string;
  /** Baked and every upgraded cluster re-checked. */
  completedAt?: string;
}

export interface Halt {
  at: string;
  reason: string;
  /** The failures that exhausted the budget (or the failed canaries). */
  clusters: string[];
}

export interface Acceptance {
  at: string;
  by?: string;
  clusters: string[];
  /**
   * The attempt of each cluster accepted: the acceptance covers that attempt only, so a cluster
   * accepted before it failed (an unproven canary deferred as unreachable) counts when its retry
   * fails. Acceptances recorded without it cover every attempt.
   */
  attempts?: Record<string, number>;
}

export interface Batch {
  id: string;
  name?: string;
  targetVersion: string;
  strategy: Strategy;
  options?: BatchRequest['options'];
  callbackUrl?: string;
  state: BatchState;
  /** Why the batch is in its state, in words. */
  reason: string;
  /** Optimistic-concurrency version; every write is conditional on it. */
  version: number;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  /** Set once the batch is in a final state and every cluster is terminal. */
  finishedAt?: string;
  waves: BatchWave[];
  /** Wave by wave, each in its start order. */
  clusters: BatchCluster[];
  /** Index of the wave in progress (== waves.length once all are complete). */
  currentWave: number;
  pausedAt?: string;
  pausedBy?: string;
  cancelledAt?: string;
  cancelledBy?: string;
  halt?: Halt;
  /** Resumes of a halted batch, each accepting the failures named (they no longer count). */
  acceptances: Acceptance[];
  /** Events recorded so far; the next one is `eventSeq + 1`. */
  eventSeq: number;
  /** The rollout's one live timer message (#domain/rollout/rollout-timer.ts). */
  timer?: { seq: number; at: string };
  /** How long its first succeeded jobs spent in each stage: the jobs it starts later expect as much. */
  waitSamples?: WaitSamples;
}

export interface NewBatchInput {
  id: string;
  request: BatchRequest;
  waves: PlannedWave[];
  at: Date;
  /** Clusters with an active job at creation, skipped under `skipBusy`, with why. */
  busy?: ReadonlyMap<string, string>;
  /** Predicted job durations in seconds by cluster (from a rehearsal). */
  estimates?: ReadonlyMap<string, number>;
}

/** Whether the wave at `index` starts only once approved (the first never needs it: the request is its approval). */
export function needsApproval(strategy: Pick<Strategy, 'approval'>, index: number): boolean {
  if (index === 0) return false;
  if (strategy.approval === 'each-wave') return true;
  return strategy.approval === 'after-canary' && index === 1;
}

export function newBatch(input: NewBatchInput): Batch {
  const { request, at } = input;
  const now = at.toISOString();
  const waves = input.waves.map(({ clusters: _, ...wave }, index) => ({
    ...wave,
    index,
    needsApproval: needsApproval(request.strategy, index),
  }));
  const clusters = input.waves.flatMap((wave, index) =>
    wave.clusters.map((name): BatchCluster => {
      const busy = input.busy?.get(name);
      const estimate = input.estimates?.get(name);
      return {
        name,
        wave: index,
        ...(busy === undefined
          ? { state: 'pending' }
          : { state: 'skipped', reason: `skipped: ${busy}`, finishedAt: now }),
        attempt: 0,
        ...(estimate === undefined ? {} : { estimateSeconds: estimate }),
      };
    }),
  );
  return {
    id: input.id,
    ...(request.name === undefined ? {} : { name: request.name }),
    targetVersion: request.targetVersion,
    strategy: request.strategy,
    ...(request.options === undefined ? {} : { options: request.options }),
    ...(request.callbackUrl === undefined ? {} : { callbackUrl: request.callbackUrl }),
    state: 'running',
    reason: 'created',
    version: 0,
    createdAt: now,
    updatedAt: now,
    waves,
    clusters,
    currentWave: 0,
    acceptances: [],
    eventSeq: 0,
  };
}
