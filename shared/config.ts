/**
 * The local runtime's configuration (and the API entry's): the REDIS_UPGRADER_* variables,
 * validated once at start-up (#shared/config-loader.ts). Stage timing and gate defaults come from
 * #usecases/pipeline-config.ts and headroom limits from the domain, so both runtimes share them.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import * as z from 'zod';
import { STAGE_NAMES, type StageName } from '#domain/job.ts';
import { NO_OUTBOUND_ALLOW, outboundAllowSchema } from '#domain/outbound-address.ts';
import { DEFAULT_IDEMPOTENCY_TTL_SECONDS } from '#domain/upgrade-request.ts';
import { whsecListSchema, whsecSchema } from '#domain/webhooks/endpoint.ts';
import { type Environment, loadEnvironment, rolloutPoliciesSetting } from '#shared/config-loader.ts';
import { QUEUE_DELIVERY_DEFAULTS } from '#usecases/consumer-row.ts';
import { DEFAULT_PIPELINE_CONFIG, pipelineSettingsSchema } from '#usecases/pipeline-config.ts';

const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];

/** A number given as text, held to the same rule as the setting it feeds. */
const fromText = <T extends z.ZodType<number, number>>(rule: T) => z.coerce.number().pipe(rule);
const integer = (min: number, max: number) => fromText(z.number().int().min(min).max(max));
const seconds = fromText(z.number().int().positive());
// Fractions allowed: a simulated fleet runs many times faster than real ACP, and so may its waits.
const fractionOfSeconds = fromText(z.number().min(0.05));

const pipeline = pipelineSettingsSchema.shape;
const headroom = pipeline.headroom.shape;
const rollout = pipeline.rollout.shape;
const defaults = DEFAULT_PIPELINE_CONFIG;

function deadlineVariable(stage: StageName): string {
  return `REDIS_UPGRADER_DEADLINE_${stage.toUpperCase().replaceAll('-', '_')}_SECONDS`;
}

/** REDIS_UPGRADER_DEADLINE_<STAGE>_SECONDS: one per stage, each falling back to the pipeline's default. */
const deadlineVariables = z.object(
  Object.fromEntries(
    STAGE_NAMES.map((stage) => [
      deadlineVariable(stage),
      fromText(pipeline.stageDeadlinesSeconds.valueType).optional(),
    ]),
  ),
);

const variables = z.object({
  REDIS_UPGRADER_DATA_DIR: z.string().min(1).default('.redis-upgrader'),
  REDIS_UPGRADER_HOST: z.string().min(1).default('127.0.0.1'),
  REDIS_UPGRADER_PORT: integer(0, 65535).default(8080),
  REDIS_UPGRADER_API_TOKEN: z.string().min(16, 'must be at least 16 characters'),
  REDIS_UPGRADER_CATALOG: z.string().min(1).default('examples/catalog.json'),
  REDIS_UPGRADER_KUBECONFIG: z.string().min(1).optional(),
  KUBECONFIG: z.string().min(1).optional(),
  REDIS_UPGRADER_CLUSTERS_FILE: z.string().min(1).optional(),
  /** Base URL that replaces a catalog artifact URL's directory (e.g. the simulator's /downloads/). */
  REDIS_UPGRADER_ARTIFACT_MIRROR: z.url({ protocol: /^https?$/ }).optional(),
  /** PEM file of a CA the downloads trust besides the system's (a private mirror, the simulator's). */
  REDIS_UPGRADER_ARTIFACT_MIRROR_CA: z.string().min(1).optional(),
  REDIS_UPGRADER_LOG_LEVEL: z
    .string()
    .transform((value) => value.toUpperCase())
    .pipe(z.enum(LOG_LEVELS))
    .default('INFO'),
  /** Batches in flight per stage queue (Lambda's maxConcurrency). */
  REDIS_UPGRADER_POLL_CONCURRENCY: integer(1, 64).default(2),
  /** Messages per delivered batch (the event source mapping's batchSize). */
  REDIS_UPGRADER_BATCH_SIZE: integer(1, 10).default(QUEUE_DELIVERY_DEFAULTS.batchSize),
  REDIS_UPGRADER_POLL_INTERVAL_MS: integer(10, 60_000).default(500),
  /**
   * How long the rollout queue's poller waits to fill a batch (the stack's
   * rolloutBatchingWindowSeconds): a burst of job ends makes one decision. Short by default, so a
   * demo's rollout decides at once; 0: no window.
   */
  REDIS_UPGRADER_ROLLOUT_WINDOW_MS: integer(0, 300_000).default(250),
  /** Waits watched at once for an early wake (each holds a connection); 0: waits only poll. */
  REDIS_UPGRADER_MAX_WATCHES: integer(0, 100_000).default(500),
  REDIS_UPGRADER_VISIBILITY_TIMEOUT_SECONDS: seconds.default(60),
  /** Receives after which a message goes to the stage's dead-letter table. */
  REDIS_UPGRADER_MAX_RECEIVE_COUNT: integer(1, 1000).default(QUEUE_DELIVERY_DEFAULTS.maxReceiveCount),
  REDIS_UPGRADER_MAX_BODY_BYTES: integer(1024, 10 * 1024 * 1024).default(1024 * 1024),
  REDIS_UPGRADER_BACKUP_MAX_AGE_SECONDS: fromText(pipeline.backupMaxAgeSeconds).default(
    defaults.backupMaxAgeSeconds,
  ),
  REDIS_UPGRADER_MIN_FREE_CPU_PERCENT: fromText(headroom.minFreeCpuPercent).default(
    defaults.headroom.minFreeCpuPercent,
  ),
  REDIS_UPGRADER_MIN_FREE_MEMORY_PERCENT: fromText(headroom.minFreeMemoryPercent).default(
    defaults.headroom.minFreeMemoryPercent,
  ),
  REDIS_UPGRADER_MIN_FREE_CPU_MILLIS: fromText(headroom.minFreeCpuMillis.unwrap()).optional(),
  REDIS_UPGRADER_MIN_FREE_MEMORY_BYTES: fromText(headroom.minFreeMemoryBytes.unwrap()).optional(),
  /** Delay of every stage's re-enqueue while it waits for the cluster (default: per stage, the pipeline's). */
  REDIS_UPGRADER_STAGE_POLL_SECONDS: fractionOfSeconds.optional(),
  /** First delay after a transient error, doubling up to MAX_RETRY_SECONDS (default: the pipeline's). */
  REDIS_UPGRADER_RETRY_SECONDS: fractionOfSeconds.optional(),
  REDIS_UPGRADER_MAX_RETRY_SECONDS: fromText(pipeline.maxRetrySeconds).optional(),
  /**
   * Lease of a claimed side effect (a push, backup creation), renewed while it runs. Default and
   * maximum: the visibility timeout, so a dead worker's claim has run out when its message comes back.
   */
  REDIS_UPGRADER_CLAIM_LEASE_SECONDS: fromText(pipeline.claimLeaseSeconds).optional(),
  /** How soon a rollout looks again while its jobs run (a job's end wakes it at once). */
  REDIS_UPGRADER_ROLLOUT_POLL_SECONDS: fractionOfSeconds.optional(),
  REDIS_UPGRADER_ROLLOUT_RECHECK_DEADLINE_SECONDS: fromText(rollout.recheckDeadlineSeconds).optional(),
  /** Predicted duration of a hop no earlier job measured, and of validate plus the backup check. */
  REDIS_UPGRADER_ROLLOUT_HOP_ESTIMATE_SECONDS: fromText(rollout.estimateHopSeconds).optional(),
  REDIS_UPGRADER_ROLLOUT_JOB_OVERHEAD_SECONDS: fromText(rollout.jobOverheadSeconds).optional(),
  /** The `violet` executable that pushes packages to clusters. */
  REDIS_UPGRADER_VIOLET: z.string().min(1).default('violet'),
  REDIS_UPGRADER_UPLOAD_TIMEOUT_SECONDS: seconds.default(600),
  /** Non-public callback destinations admitted anyway (CIDRs, addresses, host names). */
  REDIS_UPGRADER_OUTBOUND_ALLOW: outboundAllowSchema.default(NO_OUTBOUND_ALLOW),
  /** Refuse plain-http webhook receivers (callbacks and endpoints). */
  REDIS_UPGRADER_OUTBOUND_REQUIRE_HTTPS: z.stringbool().default(false),
  /** How long an Idempotency-Key stands for its request. */
  REDIS_UPGRADER_IDEMPOTENCY_TTL_SECONDS: seconds.default(DEFAULT_IDEMPOTENCY_TTL_SECONDS),
  /** Signs deliveries to callback URLs; default: generated once into <data-dir>/callback-secret (0600). */
  REDIS_UPGRADER_CALLBACK_SECRET: whsecSchema.optional(),
  /** Verify POST /webhooks/releases: one whsec_ secret, or two during a rotation; unset refuses every release. */
  REDIS_UPGRADER_RELEASE_SECRETS: whsecListSchema.optional(),
  /** What a release starts by itself: a JSON array of { name, versions, selector, strategy }. */
  REDIS_UPGRADER_ROLLOUT_POLICIES: rolloutPoliciesSetting,
  /** How long a rotated-out endpoint secret keeps signing beside the new one. */
  REDIS_UPGRADER_WEBHOOK_SECRET_OVERLAP_SECONDS: fromText(
    z
      .number()
      .int()
      .min(0)
      .max(30 * 86_400),
  ).default(86_400),
});

/** `{ key: value }` when the value is set, else nothing: an unset optional setting stays absent. */
function ifSet<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  const set: Partial<Record<K, V>> = {};
  if (value !== undefined) set[key] = value;
  return set;
}

const configSchema = z
  .intersection(variables, deadlineVariables)
  .superRefine((v, context) => {
    const lease = v.REDIS_UPGRADER_CLAIM_LEASE_SECONDS;
    const visibility = v.REDIS_UPGRADER_VISIBILITY_TIMEOUT_SECONDS;
    // A dead worker's message would come back while its claim still looks alive: the job stalls.
    if (lease !== undefined && lease > visibility) {
      context.addIssue({
        code: 'custom',
        message: `REDIS_UPGRADER_CLAIM_LEASE_SECONDS (${lease}) must not exceed REDIS_UPGRADER_VISIBILITY_TIMEOUT_SECONDS (${visibility})`,
      });
    }
  })
  .transform((v) => ({
    dataDir: resolve(v.REDIS_UPGRADER_DATA_DIR),
    host: v.REDIS_UPGRADER_HOST,
    port: v.REDIS_UPGRADER_PORT,
    apiToken: v.REDIS_UPGRADER_API_TOKEN,
    catalogPath: resolve(v.REDIS_UPGRADER_CATALOG),
    kubeconfigPath: resolve(
      v.REDIS_UPGRADER_KUBECONFIG ?? v.KUBECONFIG ?? join(homedir(), '.kube', 'config'),
    ),
    ...ifSet('clustersFile', v.REDIS_UPGRADER_CLUSTERS_FILE && resolve(v.REDIS_UPGRADER_CLUSTERS_FILE)),
    ...ifSet('artifactMirror', v.REDIS_UPGRADER_ARTIFACT_MIRROR),
    ...ifSet(
      'artifactMirrorCaFile',
      v.REDIS_UPGRADER_ARTIFACT_MIRROR_CA && resolve(v.REDIS_UPGRADER_ARTIFACT_MIRROR_CA),
    ),
    logLevel: v.REDIS_UPGRADER_LOG_LEVEL,
    maxBodyBytes: v.REDIS_UPGRADER_MAX_BODY_BYTES,
    queue: {
      pollConcurrency: v.REDIS_UPGRADER_POLL_CONCURRENCY,
      batchSize: v.REDIS_UPGRADER_BATCH_SIZE,
      pollIntervalMs: v.REDIS_UPGRADER_POLL_INTERVAL_MS,
      rolloutWindowMs: v.REDIS_UPGRADER_ROLLOUT_WINDOW_MS,
      visibilityTimeoutSeconds: v.REDIS_UPGRADER_VISIBILITY_TIMEOUT_SECONDS,
      maxReceiveCount: v.REDIS_UPGRADER_MAX_RECEIVE_COUNT,
      maxWatches: v.REDIS_UPGRADER_MAX_WATCHES,
    },
    stageDeadlinesSeconds: { ...defaults.stageDeadlinesSeconds, ...deadlinesOf(v) },
    ...ifSet('stagePollSeconds', v.REDIS_UPGRADER_STAGE_POLL_SECONDS),
    ...ifSet('retrySeconds', v.REDIS_UPGRADER_RETRY_SECONDS),
    ...ifSet('maxRetrySeconds', v.REDIS_UPGRADER_MAX_RETRY_SECONDS),
    claimLeaseSeconds: v.REDIS_UPGRADER_CLAIM_LEASE_SECONDS ?? v.REDIS_UPGRADER_VISIBILITY_TIMEOUT_SECONDS,
    backupMaxAgeSeconds: v.REDIS_UPGRADER_BACKUP_MAX_AGE_SECONDS,
    rollout: {
      ...ifSet('pollSeconds', v.REDIS_UPGRADER_ROLLOUT_POLL_SECONDS),
      ...ifSet('recheckDeadlineSeconds', v.REDIS_UPGRADER_ROLLOUT_RECHECK_DEADLINE_SECONDS),
      ...ifSet('estimateHopSeconds', v.REDIS_UPGRADER_ROLLOUT_HOP_ESTIMATE_SECONDS),
      ...ifSet('jobOverheadSeconds', v.REDIS_UPGRADER_ROLLOUT_JOB_OVERHEAD_SECONDS),
    },
    headroom: {
      minFreeCpuPercent: v.REDIS_UPGRADER_MIN_FREE_CPU_PERCENT,
      minFreeMemoryPercent: v.REDIS_UPGRADER_MIN_FREE_MEMORY_PERCENT,
      ...ifSet('minFreeCpuMillis', v.REDIS_UPGRADER_MIN_FREE_CPU_MILLIS),
      ...ifSet('minFreeMemoryBytes', v.REDIS_UPGRADER_MIN_FREE_MEMORY_BYTES),
    },
    violetPath: v.REDIS_UPGRADER_VIOLET,
    uploadTimeoutSeconds: v.REDIS_UPGRADER_UPLOAD_TIMEOUT_SECONDS,
    outboundAllow: v.REDIS_UPGRADER_OUTBOUND_ALLOW,
    idempotencyTtlSeconds: v.REDIS_UPGRADER_IDEMPOTENCY_TTL_SECONDS,
    requireHttps: v.REDIS_UPGRADER_OUTBOUND_REQUIRE_HTTPS,
    ...ifSet('callbackSecret', v.REDIS_UPGRADER_CALLBACK_SECRET),
    secretOverlapSeconds: v.REDIS_UPGRADER_WEBHOOK_SECRET_OVERLAP_SECONDS,
    releaseSecrets: v.REDIS_UPGRADER_RELEASE_SECRETS ?? [],
    rolloutPolicies: v.REDIS_UPGRADER_ROLLOUT_POLICIES,
  }));

/** The deadlines set by a variable (the others take the pipeline's defaults). */
function deadlinesOf(v: Record<string, number | undefined>): Partial<Record<StageName, number>> {
  return Object.fromEntries(
    STAGE_NAMES.flatMap((stage) => {
      const given = v[deadlineVariable(stage)];
      return given === undefined ? [] : [[stage, given]];
    }),
  );
}

export type Config = z.output<typeof configSchema>;

/**
 * Validates the environment and returns the typed configuration, or throws a ConfigError whose
 * message is one line naming every bad variable (the API token's value is never shown).
 */
export function loadConfig(env: Environment = process.env): Config {
  return loadEnvironment(configSchema, env, {
    what: 'invalid configuration',
    secrets: ['REDIS_UPGRADER_API_TOKEN', 'REDIS_UPGRADER_CALLBACK_SECRET', 'REDIS_UPGRADER_RELEASE_SECRETS'],
  });
}
