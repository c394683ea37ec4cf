/**
 * Everything an operator may tune at deploy time, from CDK context (`-c key=value` or cdk.json)
 * or from props in tests. Parsed once with zod so a typo in a context value fails synth with a
 * line naming the key, not a half-built stack.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as z from 'zod';
import { AWS_DEFAULTS } from '#adapters/aws/aws-env.ts';
import { ConfigError } from '#domain/errors.ts';
import { outboundAllowSchema } from '#domain/outbound-address.ts';
import { rolloutPoliciesSchema } from '#domain/rollout/rollout-policy.ts';
import { DEFAULT_IDEMPOTENCY_TTL_SECONDS } from '#domain/upgrade-request.ts';
import { QUEUE_DELIVERY_DEFAULTS } from '#usecases/consumer-row.ts';
import { pipelineOverridesSchema } from '#usecases/pipeline-config.ts';

const positiveInt = z.coerce.number().int().positive();

/**
 * The retentions CloudWatch Logs accepts: any other number synthesizes and then fails the deploy.
 * INFINITE (9999) is CDK's "no retention" sentinel, not a retention, so it is left out.
 */
const LOG_RETENTIONS = Object.values(RetentionDays).filter(
  (days): days is RetentionDays => typeof days === 'number' && days !== RetentionDays.INFINITE,
);
const logRetentionDays = z.coerce
  .number()
  .refine((days) => (LOG_RETENTIONS as number[]).includes(days), {
    message: `must be one of the retentions CloudWatch Logs accepts: ${LOG_RETENTIONS.join(', ')}`,
  })
  .transform((days) => days as RetentionDays);

/** A queue's visibility timeout is this many times its consumer's timeout (AWS's guidance for Lambda). */
export const VISIBILITY_PER_TIMEOUT = 6;

const jwtSchema = z.object({ issuer: z.url(), audience: z.array(z.string().min(1)).min(1) });

export const stackConfigSchema = z
  .object({
    /** Prefix of physical names where a name is needed (alarms, log groups). */
    namePrefix: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,30}$/)
      .default('redis-upgrader'),
    /** Timeout of the SQS-driven stage functions, seconds (queue visibility is 6x this). */
    stageTimeoutSeconds: positiveInt.max(900).default(60),
    /** The upload function downloads and pushes packages; it gets more time and disk. */
    uploadTimeoutSeconds: positiveInt.min(120).max(900).default(600),
    uploadEphemeralStorageMiB: positiveInt.min(512).max(10_240).default(4096),
    apiTimeoutSeconds: positiveInt.max(29).default(10),
    memoryMiB: positiveInt.min(128).max(10_240).default(512),
    /** Concurrent Lambda invocations per stage queue (event source maxConcurrency, 2..1000). */
    maxConcurrency: positiveInt.min(2).max(1000).default(10),
    batchSize: positiveInt.max(10).default(QUEUE_DELIVERY_DEFAULTS.batchSize),
    /**
     * The upload queue waits up to this long to fill a batch: the pushes of one package to clusters
     * of one platform within a batch go as one violet run (one image upload to the platform).
     */
    uploadBatchingWindowSeconds: z.number().int().min(0).max(300).default(5),
    /**
     * Upload messages one invocation takes: its pushes go as runs of up to 100 clusters per
     * platform (#adapters/kube/push-groups.ts), so a batch of 10 would cap a run at 10 and cost a
     * 30-second image upload per 10 clusters. Above 10, SQS needs a batching window.
     */
    uploadBatchSize: positiveInt.max(10_000).default(100),
    /**
     * The rollout queue waits up to this long to fill a batch: the wakes of one rollout in a
     * batch make one decision and one write of the batch, whose item grows with its clusters
     * (each wake alone: a write per job end, 8 write units per hop at 100 clusters, bench fleet).
     * A decision comes at most this much later; bakes and waves last minutes.
     */
    rolloutBatchingWindowSeconds: z.number().int().min(0).max(300).default(5),
    /** Rollout wakes one invocation takes (above 10, SQS needs a batching window). */
    rolloutBatchSize: positiveInt.max(10_000).default(100),
    /** Receives before a message dead-letters; SQS's redrive policy takes 1..1000. */
    maxReceiveCount: positiveInt.max(1000).default(QUEUE_DELIVERY_DEFAULTS.maxReceiveCount),
    logRetentionDays: logRetentionDays.default(RetentionDays.ONE_MONTH),
    /** Artifacts not touched for this long expire; old object versions after `noncurrentDays`. */
    artifactExpirationDays: positiveInt.default(365),
    noncurrentVersionDays: positiveInt.default(30),
    accessLogExpirationDays: positiveInt.default(90),
    eventRetentionDays: positiveInt.default(AWS_DEFAULTS.eventRetentionDays),
    alarmEmail: z.email().optional(),
    /** API authorizer: IAM (SigV4) unless a JWT issuer and audience are given. */
    jwt: jwtSchema.optional(),
    apiRateLimit: positiveInt.default(50),
    apiBurstLimit: positiveInt.default(100),
    /** Kubeconfig secrets the stage functions may read: names under this prefix. */
    kubeconfigSecretPrefix: z
      .string()
      .regex(/^[A-Za-z0-9/_+=.@-]+$/)
      .default('redis-upgrader/kubeconfig/'),
    kubeconfigTtlSeconds: positiveInt.default(AWS_DEFAULTS.kubeconfigTtlSeconds),
    catalogKey: z.string().min(1).default('catalog/catalog.json'),
    /** The violet CLI inside the upload function (ship it in a layer). */
    violetPath: z.string().min(1).default(AWS_DEFAULTS.violetPath),
    violetLayerArn: z.string().startsWith('arn:').optional(),
    /** How long an Idempotency-Key stands for its request (items expire by TTL, reads check too). */
    idempotencyTtlSeconds: positiveInt.default(DEFAULT_IDEMPOTENCY_TTL_SECONDS),
    /** Non-public callback destinations the API admits (CIDRs, addresses, host names; default none). */
    outboundAllow: outboundAllowSchema.optional(),
    /** Admit plain-http webhook receivers (callbacks, endpoints); https only by default. */
    outboundAllowHttp: z.union([z.boolean(), z.stringbool()]).default(false),
    /** Endpoints' signing secrets live in Secrets Manager under this name prefix. */
    webhookSecretPrefix: z
      .string()
      .regex(/^[A-Za-z0-9/_+=.@-]+$/)
      .default('redis-upgrader/webhooks/'),
    /** How long a rotated-out endpoint secret keeps signing beside the new one, seconds. */
    webhookSecretOverlapSeconds: z.coerce
      .number()
      .int()
      .min(0)
      .default(AWS_DEFAULTS.webhookSecretOverlapSeconds),
    /** What a signed release starts by itself (#domain/rollout/rollout-policy.ts), given to the API. */
    rolloutPolicies: rolloutPoliciesSchema.optional(),
    /** Stage timing and gate overrides (#usecases/pipeline-config.ts), passed to every stage function. */
    pipeline: pipelineOverridesSchema.optional(),
    /** Keep data on stack deletion (production) or destroy it (throwaway stacks). */
    retainData: z.union([z.boolean(), z.stringbool()]).default(true),
  })
  .superRefine((config, context) => {
    for (const queue of ['upload', 'rollout'] as const) {
      const size = config[`${queue}BatchSize`];
      if (size > 10 && config[`${queue}BatchingWindowSeconds`] < 1) {
        context.addIssue({
          code: 'custom',
          path: [`${queue}BatchSize`],
          message: `${size} needs ${queue}BatchingWindowSeconds of at least 1 (SQS takes more than 10 records only with a window)`,
        });
      }
    }
    // A dead worker's claim must run out within about one redelivery, or a crash stalls the job
    // until it does (docs/decisions/0003-claims-and-leases.md).
    const lease = config.pipeline?.claimLeaseSeconds;
    const shortestVisibility =
      Math.min(config.stageTimeoutSeconds, config.uploadTimeoutSeconds) * VISIBILITY_PER_TIMEOUT;
    if (lease !== undefined && lease > shortestVisibility) {
      context.addIssue({
        code: 'custom',
        path: ['pipeline', 'claimLeaseSeconds'],
        message: `${lease} must not exceed the shortest queue visibility timeout (${shortestVisibility} s, ${VISIBILITY_PER_TIMEOUT}x the stage timeout)`,
      });
    }
  });

export type StackConfig = z.infer<typeof stackConfigSchema>;
export type StackConfigInput = z.input<typeof stackConfigSchema>;

export function parseStackConfig(input: unknown): StackConfig {
  const parsed = stackConfigSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || 'context'}: ${issue.message}`,
    );
    throw new ConfigError(`invalid stack configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** Reads the config keys from CDK context; JSON-valued keys (jwt, pipeline) may be given as strings with -c. */
export function configFromContext(tryGetContext: (key: string) => unknown): StackConfig {
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(stackConfigSchema.shape)) {
    const value = tryGetContext(key);
    if (value === undefined) continue;
    input[key] =
      (key === 'jwt' || key === 'pipeline') && typeof value === 'string' ? JSON.parse(value) : value;
  }
  return parseStackConfig(input);
}

/**
 * The prefix the catalog grants cover: the key's folder, or the key itself when it has none (a
 * grant on the bucket's root would cover the artifacts too). The grants and their cdk-nag
 * acknowledgement both use it, so they cannot disagree.
 */
export function catalogFolder(key: string): string {
  return key.includes('/') ? key.slice(0, key.lastIndexOf('/') + 1) : key;
}
