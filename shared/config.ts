/**
 * The one place the environment is read. Everything the local runtime and the API entry need is
 * validated here once, at start-up, so a typo fails fast with one line instead of surfacing as a
 * stuck job an hour later. Values are never echoed for secret variables.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '#domain/errors.ts';
import { STAGE_NAMES, type StageName } from '#domain/job.ts';
import { NO_OUTBOUND_ALLOW, type OutboundAllowList, outboundAllowSchema } from '#domain/outbound-address.ts';
import { DEFAULT_IDEMPOTENCY_TTL_SECONDS } from '#domain/upgrade-request.ts';

export const ENV_PREFIX = 'REDIS_UPGRADER_';

/** Variables whose values must never appear in an error message or a log line. */
const SECRET_VARIABLES = new Set([`${ENV_PREFIX}API_TOKEN`]);

const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'] as const;

const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const percent = (fallback: number) => z.coerce.number().min(0).max(100).default(fallback);

function stageDeadlineVariable(stage: StageName): string {
  return `${ENV_PREFIX}DEADLINE_${stage.toUpperCase().replaceAll('-', '_')}_SECONDS`;
}

/** Default wait budgets per stage: catalog sync on real ACP takes 10-15 minutes, installs longer. */
const DEFAULT_STAGE_DEADLINES: Record<StageName, number> = {
  validate: 300,
  'check-backup': 3600,
  'upload-package': 1800,
  'patch-subscription': 1800,
  verify: 1800,
};

const schema = z.object({
  [`${ENV_PREFIX}DATA_DIR`]: z.string().min(1).default('.redis-upgrader'),
  [`${ENV_PREFIX}HOST`]: z.string().min(1).default('127.0.0.1'),
  [`${ENV_PREFIX}PORT`]: z.coerce.number().int().min(0).max(65535).default(8080),
  [`${ENV_PREFIX}API_TOKEN`]: z.string().min(16, 'must be at least 16 characters'),
  [`${ENV_PREFIX}CATALOG`]: z.string().min(1).default('examples/catalog.json'),
  [`${ENV_PREFIX}KUBECONFIG`]: z.string().min(1).optional(),
  KUBECONFIG: z.string().min(1).optional(),
  [`${ENV_PREFIX}CLUSTERS_FILE`]: z.string().min(1).optional(),
  [`${ENV_PREFIX}ARTIFACT_MIRROR`]: z.url({ protocol: /^https?$/ }).optional(),
  [`${ENV_PREFIX}LOG_LEVEL`]: z
    .string()
    .transform((value) => value.toUpperCase())
    .pipe(z.enum(LOG_LEVELS))
    .default('INFO'),
  [`${ENV_PREFIX}POLL_CONCURRENCY`]: z.coerce.number().int().min(1).max(64).default(2),
  [`${ENV_PREFIX}BATCH_SIZE`]: z.coerce.number().int().min(1).max(10).default(10),
  [`${ENV_PREFIX}POLL_INTERVAL_MS`]: z.coerce.number().int().min(10).max(60_000).default(500),
  [`${ENV_PREFIX}VISIBILITY_TIMEOUT_SECONDS`]: seconds(60),
  [`${ENV_PREFIX}MAX_RECEIVE_COUNT`]: z.coerce.number().int().min(1).max(1000).default(5),
  [`${ENV_PREFIX}MAX_BODY_BYTES`]: z.coerce
    .number()
    .int()
    .min(1024)
    .max(10 * 1024 * 1024)
    .default(1024 * 1024),
  [`${ENV_PREFIX}BACKUP_MAX_AGE_SECONDS`]: seconds(24 * 3600),
  [`${ENV_PREFIX}MIN_FREE_CPU_PERCENT`]: percent(10),
  [`${ENV_PREFIX}MIN_FREE_MEMORY_PERCENT`]: percent(10),
  [`${ENV_PREFIX}MIN_FREE_CPU_MILLIS`]: z.coerce.number().int().min(0).optional(),
  [`${ENV_PREFIX}MIN_FREE_MEMORY_BYTES`]: z.coerce.number().int().min(0).optional(),
  // Fractions allowed: a simulated fleet runs many times faster than real ACP, and so may its waits.
  [`${ENV_PREFIX}STAGE_POLL_SECONDS`]: z.coerce.number().min(0.05).optional(),
  [`${ENV_PREFIX}RETRY_SECONDS`]: z.coerce.number().min(0.05).optional(),
  [`${ENV_PREFIX}MAX_RETRY_SECONDS`]: z.coerce.number().int().positive().optional(),
  [`${ENV_PREFIX}CLAIM_LEASE_SECONDS`]: z.coerce.number().int().min(3).optional(),
  [`${ENV_PREFIX}VIOLET`]: z.string().min(1).default('violet'),
  [`${ENV_PREFIX}UPLOAD_TIMEOUT_SECONDS`]: seconds(600),
  [`${ENV_PREFIX}OUTBOUND_ALLOW`]: outboundAllowSchema.default(NO_OUTBOUND_ALLOW),
  [`${ENV_PREFIX}IDEMPOTENCY_TTL_SECONDS`]: seconds(DEFAULT_IDEMPOTENCY_TTL_SECONDS),
  ...Object.fromEntries(
    STAGE_NAMES.map((stage) => [stageDeadlineVariable(stage), seconds(DEFAULT_STAGE_DEADLINES[stage])]),
  ),
});

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface QueueConfig {
  /** Batches in flight per stage queue (Lambda's maxConcurrency). */
  pollConcurrency: number;
  /** Messages per delivered batch (the event source mapping's batchSize). */
  batchSize: number;
  pollIntervalMs: number;
  visibilityTimeoutSeconds: number;
  /** Receives after which a message goes to the stage's dead-letter table. */
  maxReceiveCount: number;
}

export interface Config {
  dataDir: string;
  host: string;
  port: number;
  apiToken: string;
  catalogPath: string;
  kubeconfigPath: string;
  clustersFile?: string;
  /** Base URL that replaces a catalog artifact URL's directory (e.g. the simulator's /downloads/). */
  artifactMirror?: string;
  logLevel: LogLevel;
  maxBodyBytes: number;
  queue: QueueConfig;
  stageDeadlinesSeconds: Record<StageName, number>;
  /** Delay of every stage's re-enqueue while it waits for the cluster (default: per-stage values of the pipeline). */
  stagePollSeconds?: number;
  /** Delay of the re-enqueue after a transient error, doubling up to maxRetrySeconds (default: the pipeline's). */
  retrySeconds?: number;
  maxRetrySeconds?: number;
  /**
   * Lease of a claimed side effect (a push, backup creation), renewed while it runs. Default: the
   * visibility timeout, so a dead worker's claim has run out when its message comes back.
   */
  claimLeaseSeconds: number;
  backupMaxAgeSeconds: number;
  headroom: {
    minFreeCpuPercent: number;
    minFreeMemoryPercent: number;
    minFreeCpuMillis?: number;
    minFreeMemoryBytes?: number;
  };
  /** The `violet` executable that pushes packages to clusters. */
  violetPath: string;
  uploadTimeoutSeconds: number;
  /** Non-public callback destinations admitted anyway (CIDRs, addresses, host names). */
  outboundAllow: OutboundAllowList;
  /** How long an Idempotency-Key stands for its request. */
  idempotencyTtlSeconds: number;
}

type Env = Record<string, string | undefined>;

function describeIssue(issue: z.core.$ZodIssue, env: Env): string {
  const variable = String(issue.path[0] ?? 'environment');
  const raw = env[variable];
  const shown =
    raw === undefined ? 'unset' : SECRET_VARIABLES.has(variable) ? 'value hidden' : `got "${raw}"`;
  return `${variable}: ${issue.message} (${shown})`;
}

/**
 * Validates the environment and returns the typed configuration, or throws a ConfigError whose
 * message is one line naming every bad variable. Empty strings count as unset.
 */
export function loadConfig(env: Env = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => describeIssue(issue, present));
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const v = parsed.data as Record<string, unknown>;
  const lease = v[`${ENV_PREFIX}CLAIM_LEASE_SECONDS`] as number | undefined;
  const visibility = v[`${ENV_PREFIX}VISIBILITY_TIMEOUT_SECONDS`] as number;
  if (lease !== undefined && lease > visibility) {
    // A dead worker's message would come back while its claim still looks alive: the job stalls.
    throw new ConfigError(
      `invalid configuration: ${ENV_PREFIX}CLAIM_LEASE_SECONDS (${lease}) must not exceed ${ENV_PREFIX}VISIBILITY_TIMEOUT_SECONDS (${visibility})`,
    );
  }
  const get = <T>(name: string) => v[`${ENV_PREFIX}${name}`] as T;
  const optional = (name: string) => get<unknown>(name);
  return {
    dataDir: resolve(get<string>('DATA_DIR')),
    host: get('HOST'),
    port: get('PORT'),
    apiToken: get('API_TOKEN'),
    catalogPath: resolve(get<string>('CATALOG')),
    kubeconfigPath: resolve(
      get<string | undefined>('KUBECONFIG') ??
        (v.KUBECONFIG as string | undefined) ??
        join(homedir(), '.kube', 'config'),
    ),
    ...(optional('CLUSTERS_FILE') ? { clustersFile: resolve(get<string>('CLUSTERS_FILE')) } : {}),
    ...(optional('ARTIFACT_MIRROR') ? { artifactMirror: get<string>('ARTIFACT_MIRROR') } : {}),
    logLevel: get('LOG_LEVEL'),
    maxBodyBytes: get('MAX_BODY_BYTES'),
    queue: {
      pollConcurrency: get('POLL_CONCURRENCY'),
      batchSize: get('BATCH_SIZE'),
      pollIntervalMs: get('POLL_INTERVAL_MS'),
      visibilityTimeoutSeconds: get('VISIBILITY_TIMEOUT_SECONDS'),
      maxReceiveCount: get('MAX_RECEIVE_COUNT'),
    },
    stageDeadlinesSeconds: Object.fromEntries(
      STAGE_NAMES.map((stage) => [stage, v[stageDeadlineVariable(stage)] as number]),
    ) as Record<StageName, number>,
    ...(optional('STAGE_POLL_SECONDS') === undefined
      ? {}
      : { stagePollSeconds: get<number>('STAGE_POLL_SECONDS') }),
    ...(optional('RETRY_SECONDS') === undefined ? {} : { retrySeconds: get<number>('RETRY_SECONDS') }),
    ...(optional('MAX_RETRY_SECONDS') === undefined
      ? {}
      : { maxRetrySeconds: get<number>('MAX_RETRY_SECONDS') }),
    claimLeaseSeconds: lease ?? visibility,
    backupMaxAgeSeconds: get('BACKUP_MAX_AGE_SECONDS'),
    headroom: {
      minFreeCpuPercent: get('MIN_FREE_CPU_PERCENT'),
      minFreeMemoryPercent: get('MIN_FREE_MEMORY_PERCENT'),
      ...(optional('MIN_FREE_CPU_MILLIS') === undefined
        ? {}
        : { minFreeCpuMillis: get<number>('MIN_FREE_CPU_MILLIS') }),
      ...(optional('MIN_FREE_MEMORY_BYTES') === undefined
        ? {}
        : { minFreeMemoryBytes: get<number>('MIN_FREE_MEMORY_BYTES') }),
    },
    violetPath: get('VIOLET'),
    uploadTimeoutSeconds: get('UPLOAD_TIMEOUT_SECONDS'),
    outboundAllow: get('OUTBOUND_ALLOW'),
    idempotencyTtlSeconds: get('IDEMPOTENCY_TTL_SECONDS'),
  };
}

/** The variable names this module reads, for `--help` texts and the README. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);
