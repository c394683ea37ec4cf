/**
 * Timing and gate settings of the stage use cases. Field names follow shared/config.ts, so the
 * runtime passes `{ stageDeadlinesSeconds, backupMaxAgeSeconds, headroom }` straight through;
 * every field is optional and falls back to the defaults below.
 */
import type { StageName } from '#domain/job.ts';
import { type CapacityThresholds, DEFAULT_CAPACITY_THRESHOLDS } from '#domain/prerequisites.ts';

export interface PipelineConfig {
  /** How long a stage may keep waiting (from entering its state) before the job ends. */
  stageDeadlinesSeconds: Record<StageName, number>;
  /** Delay of the re-enqueue while a stage waits for the cluster. */
  pollSeconds: Record<StageName, number>;
  /**
   * Delay of the re-enqueue after a transient failure (429, 5xx, timeout, refused connection) of
   * a cluster call or an upload; it doubles with each failure in a row, up to `maxRetrySeconds`.
   */
  retrySeconds: number;
  maxRetrySeconds: number;
  /**
   * The lease of a claimed side effect (package push, backup creation), renewed by its worker
   * every third of it while the effect runs. A claim whose lease ran out belongs to a dead
   * worker and is taken over: keep it at or below the queue's visibility timeout, so that a
   * dead worker's claim has expired when its message is delivered again.
   */
  claimLeaseSeconds: number;
  /** Default maximum backup age when the job does not set one. */
  backupMaxAgeSeconds: number;
  headroom: CapacityThresholds;
}

export interface PipelineConfigInput {
  stageDeadlinesSeconds?: Partial<Record<StageName, number>>;
  pollSeconds?: Partial<Record<StageName, number>>;
  retrySeconds?: number;
  maxRetrySeconds?: number;
  claimLeaseSeconds?: number;
  backupMaxAgeSeconds?: number;
  headroom?: Partial<CapacityThresholds>;
}

export const DEFAULT_PIPELINE_CONFIG: PipelineConfig = {
  stageDeadlinesSeconds: {
    validate: 300,
    'check-backup': 3600,
    'upload-package': 1800,
    'patch-subscription': 1800,
    verify: 1800,
  },
  pollSeconds: {
    validate: 10,
    'check-backup': 30,
    'upload-package': 10,
    'patch-subscription': 30,
    verify: 15,
  },
  retrySeconds: 15,
  maxRetrySeconds: 300,
  claimLeaseSeconds: 60,
  backupMaxAgeSeconds: 24 * 3600,
  headroom: DEFAULT_CAPACITY_THRESHOLDS,
};

export function resolvePipelineConfig(input: PipelineConfigInput = {}): PipelineConfig {
  const d = DEFAULT_PIPELINE_CONFIG;
  return {
    stageDeadlinesSeconds: { ...d.stageDeadlinesSeconds, ...input.stageDeadlinesSeconds },
    pollSeconds: { ...d.pollSeconds, ...input.pollSeconds },
    retrySeconds: input.retrySeconds ?? d.retrySeconds,
    maxRetrySeconds: input.maxRetrySeconds ?? d.maxRetrySeconds,
    claimLeaseSeconds: input.claimLeaseSeconds ?? d.claimLeaseSeconds,
    backupMaxAgeSeconds: input.backupMaxAgeSeconds ?? d.backupMaxAgeSeconds,
    headroom: { ...d.headroom, ...input.headroom },
  };
}
