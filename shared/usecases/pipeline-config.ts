/**
 * Timing and gate settings of the stage use cases, with their defaults: the one place both
 * runtimes and the CDK stack take them from. The local runtime reads them from REDIS_UPGRADER_*
 * variables (shared/config.ts); the Lambda functions from the JSON the stack passes them
 * (pipelineOverridesSchema, stack setting `pipeline`). Every field of the input is optional and
 * falls back to DEFAULT_PIPELINE_CONFIG.
 */
import * as z from 'zod';
import { STAGE_NAMES } from '#domain/job.ts';
import {
  capacityThresholdsSchema,
  DEFAULT_CAPACITY_THRESHOLDS,
  DEFAULT_MAX_BACKUP_AGE_SECONDS,
} from '#domain/prerequisites.ts';

const seconds = z.number().int().positive();
const stage = z.enum(STAGE_NAMES);

/** The rollout consumer's timing and the predictions of rehearsals and batch ETAs. */
export const rolloutSettingsSchema = z.strictObject({
  /** How soon a rollout looks again while jobs run or re-checks are due (a job's end wakes it at once). */
  pollSeconds: seconds,
  /** A re-check the cluster does not answer is retried until this long after the bake, then fails. */
  recheckDeadlineSeconds: seconds,
  /** Predicted duration of a hop no earlier job has measured. */
  estimateHopSeconds: seconds,
  /** Predicted duration of validate and the backup check, once per job. */
  jobOverheadSeconds: seconds,
});

export type RolloutSettings = z.infer<typeof rolloutSettingsSchema>;

export const pipelineSettingsSchema = z.strictObject({
  /** How long a stage may keep waiting (from entering its state) before the job ends. */
  stageDeadlinesSeconds: z.record(stage, seconds),
  /** Delay of the re-enqueue while a stage waits for the cluster. */
  pollSeconds: z.record(stage, seconds),
  /**
   * Delay of the re-enqueue after a transient failure (429, 5xx, timeout, refused connection) of
   * a cluster call or an upload; it doubles with each failure in a row, up to `maxRetrySeconds`.
   */
  retrySeconds: seconds,
  maxRetrySeconds: seconds,
  /**
   * The lease of a claimed side effect (package push, backup creation), renewed by its worker
   * every third of it while the effect runs. A claim whose lease ran out belongs to a dead
   * worker and is taken over: keep it at or below the queue's visibility timeout, so that a
   * dead worker's claim has expired when its message is delivered again.
   */
  claimLeaseSeconds: z.number().int().min(3),
  /** Default maximum backup age when the job does not set one. */
  backupMaxAgeSeconds: seconds,
  headroom: capacityThresholdsSchema,
  rollout: rolloutSettingsSchema,
});

export type PipelineConfig = z.infer<typeof pipelineSettingsSchema>;

/** Overrides of the defaults, any subset, as the stack and the Lambda functions take them (JSON). */
export const pipelineOverridesSchema = pipelineSettingsSchema
  .extend({
    stageDeadlinesSeconds: z.partialRecord(stage, seconds),
    pollSeconds: z.partialRecord(stage, seconds),
    headroom: capacityThresholdsSchema.partial(),
    rollout: rolloutSettingsSchema.partial(),
  })
  .partial();

export type PipelineConfigInput = z.infer<typeof pipelineOverridesSchema>;

export const DEFAULT_PIPELINE_CONFIG: PipelineConfig = {
  // Catalog sync on real ACP takes 10-15 minutes, installs longer.
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
  backupMaxAgeSeconds: DEFAULT_MAX_BACKUP_AGE_SECONDS,
  headroom: DEFAULT_CAPACITY_THRESHOLDS,
  // An upgrade hop on real ACP: catalog sync (10-15 min) and the install.
  rollout: {
    pollSeconds: 60,
    recheckDeadlineSeconds: 900,
    estimateHopSeconds: 1200,
    jobOverheadSeconds: 120,
  },
};

/** The settings with every field the input leaves out taken from the defaults (not validated: tests go below the minimums). */
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
    rollout: { ...d.rollout, ...input.rollout },
  };
}
