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
  /** Delay of the re-enqueue after a transient failure (429, 5xx, timeout) of a cluster call. */
  retrySeconds: number;
  /**
   * How long a claimed side effect (package push, backup creation) is presumed still running in
   * another worker; after it a claim is taken over (the worker is presumed dead).
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
  claimLeaseSeconds: 900,
  backupMaxAgeSeconds: 24 * 3600,
  headroom: DEFAULT_CAPACITY_THRESHOLDS,
};

export function resolvePipelineConfig(input: PipelineConfigInput = {}): PipelineConfig {
  const d = DEFAULT_PIPELINE_CONFIG;
  return {
    stageDeadlinesSeconds: { ...d.stageDeadlinesSeconds, ...input.stageDeadlinesSeconds },
    pollSeconds: { ...d.pollSeconds, ...input.pollSeconds },
    retrySeconds: input.retrySeconds ?? d.retrySeconds,
    claimLeaseSeconds: input.claimLeaseSeconds ?? d.claimLeaseSeconds,
    backupMaxAgeSeconds: input.backupMaxAgeSeconds ?? d.backupMaxAgeSeconds,
    headroom: { ...d.headroom, ...input.headroom },
  };
}
