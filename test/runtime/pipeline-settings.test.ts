/**
 * Every timing and gate setting of the stage use cases can be set on both runtimes: the local
 * runtime's environment (shared/config.ts) and the Lambda functions' pipeline JSON (the stack's
 * `pipeline` setting, validated by pipelineOverridesSchema).
 * A setting added to the pipeline without a way to reach it fails here.
 */
import { describe, expect, it } from 'vitest';
import { pipelineConfigOf } from '#runtime/local-stages.ts';
import { loadConfig } from '#shared/config.ts';
import { DEFAULT_PIPELINE_CONFIG, pipelineOverridesSchema } from '#usecases/pipeline-config.ts';

const SETTINGS = Object.keys(DEFAULT_PIPELINE_CONFIG).sort();

describe('pipeline settings', () => {
  it('reach the stages of the local runtime', () => {
    // Prepare: every variable that feeds the pipeline set
    const config = loadConfig({
      REDIS_UPGRADER_API_TOKEN: 'a-token-of-sixteen-plus',
      REDIS_UPGRADER_STAGE_POLL_SECONDS: '7',
      REDIS_UPGRADER_RETRY_SECONDS: '3',
      REDIS_UPGRADER_MAX_RETRY_SECONDS: '90',
      REDIS_UPGRADER_CLAIM_LEASE_SECONDS: '40',
      REDIS_UPGRADER_BACKUP_MAX_AGE_SECONDS: '3600',
      REDIS_UPGRADER_MIN_FREE_CPU_PERCENT: '5',
      REDIS_UPGRADER_ROLLOUT_POLL_SECONDS: '0.5',
      REDIS_UPGRADER_ROLLOUT_HOP_ESTIMATE_SECONDS: '600',
    });
    // Act
    const pipeline = pipelineConfigOf(config);
    // Assess
    expect(Object.keys(pipeline).sort()).toEqual(SETTINGS);
    expect(pipeline).toMatchObject({
      retrySeconds: 3,
      maxRetrySeconds: 90,
      claimLeaseSeconds: 40,
      backupMaxAgeSeconds: 3600,
      pollSeconds: { verify: 7 },
      headroom: { minFreeCpuPercent: 5 },
      rollout: { pollSeconds: 0.5, estimateHopSeconds: 600 },
    });
  });

  it('reach the Lambda functions through the pipeline JSON', () => {
    expect(Object.keys(pipelineOverridesSchema.shape).sort()).toEqual(SETTINGS);
  });
});
