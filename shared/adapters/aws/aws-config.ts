/**
 * The Lambda entries' configuration: the variables the stack sets (aws-env.ts), validated once
 * per cold start. A function reads only the variables its bindings gave it, so everything except
 * the table is optional here and required where used (`required`).
 */
import { z } from 'zod';
import { ConfigError } from '#domain/errors.ts';
import { STAGE_NAMES } from '#domain/job.ts';
import { NO_OUTBOUND_ALLOW, type OutboundAllowList, outboundAllowSchema } from '#domain/outbound-address.ts';
import { DEFAULT_IDEMPOTENCY_TTL_SECONDS } from '#domain/upgrade-request.ts';
import { AWS_ENV, queueOfVariable, queueUrlVariable } from './aws-env.ts';

const stageSeconds = z.partialRecord(z.enum(STAGE_NAMES), z.number().int().positive());

/** Timing and gate overrides of the stage use cases (#usecases/pipeline-config.ts), as JSON. */
export const pipelineSchema = z
  .object({
    stageDeadlinesSeconds: stageSeconds,
    pollSeconds: stageSeconds,
    retrySeconds: z.number().int().positive(),
    maxRetrySeconds: z.number().int().positive(),
    claimLeaseSeconds: z.number().int().min(3),
    backupMaxAgeSeconds: z.number().int().positive(),
    headroom: z
      .strictObject({
        minFreeCpuPercent: z.number().min(0).max(100),
        minFreeMemoryPercent: z.number().min(0).max(100),
        minFreeCpuMillis: z.number().int().min(0),
        minFreeMemoryBytes: z.number().int().min(0),
      })
      .partial(),
  })
  .partial()
  .strict();

const pipelineJson = z.string().transform((text, context) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    context.addIssue({ code: 'custom', message: 'is not JSON' });
    return z.NEVER;
  }
});

const schema = z.object({
  [AWS_ENV.pipelineConfig]: pipelineJson.pipe(pipelineSchema).optional(),
  [AWS_ENV.tableName]: z.string().min(1),
  [AWS_ENV.bucketName]: z.string().min(1).optional(),
  [AWS_ENV.catalogKey]: z.string().min(1).optional(),
  [AWS_ENV.violetPath]: z.string().min(1).default('/opt/bin/violet'),
  [AWS_ENV.kubeconfigTtlSeconds]: z.coerce.number().int().positive().default(300),
  [AWS_ENV.eventRetentionDays]: z.coerce.number().int().positive().default(90),
  [AWS_ENV.outboundAllow]: outboundAllowSchema.default(NO_OUTBOUND_ALLOW),
  [AWS_ENV.idempotencyTtlSeconds]: z.coerce
    .number()
    .int()
    .positive()
    .default(DEFAULT_IDEMPOTENCY_TTL_SECONDS),
});

/** Queue URLs by queue name, from every queueUrlVariable the stack set. */
const queueUrlsSchema = z.record(z.string(), z.url());

export type PipelineOverrides = z.infer<typeof pipelineSchema>;

export interface AwsRuntimeConfig {
  pipeline: PipelineOverrides;
  tableName: string;
  bucketName?: string;
  catalogKey?: string;
  /** Only the queues this function may send to (#usecases/consumers.ts `sends`). */
  queueUrls: Readonly<Record<string, string>>;
  violetPath: string;
  kubeconfigTtlSeconds: number;
  eventRetentionDays: number;
  outboundAllow: OutboundAllowList;
  idempotencyTtlSeconds: number;
}

export function loadAwsConfig(env: Record<string, string | undefined> = process.env): AwsRuntimeConfig {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = schema.safeParse(present);
  const urls = queueUrlsSchema.safeParse(
    Object.fromEntries(
      Object.entries(present).flatMap(([variable, url]) => {
        const queue = queueOfVariable(variable);
        return queue ? [[queue, url]] : [];
      }),
    ),
  );
  if (!parsed.success || !urls.success) {
    const problems = [
      ...(parsed.error?.issues ?? []).map((issue) => `${String(issue.path[0])}: ${issue.message}`),
      ...(urls.error?.issues ?? []).map(
        (issue) => `${queueUrlVariable(String(issue.path[0]))}: ${issue.message}`,
      ),
    ];
    throw new ConfigError(`invalid function environment: ${problems.join('; ')}`);
  }
  const v = parsed.data as Record<string, unknown>;
  return {
    pipeline: (parsed.data[AWS_ENV.pipelineConfig] as PipelineOverrides | undefined) ?? {},
    tableName: v[AWS_ENV.tableName] as string,
    ...(v[AWS_ENV.bucketName] ? { bucketName: v[AWS_ENV.bucketName] as string } : {}),
    ...(v[AWS_ENV.catalogKey] ? { catalogKey: v[AWS_ENV.catalogKey] as string } : {}),
    queueUrls: urls.data,
    violetPath: v[AWS_ENV.violetPath] as string,
    kubeconfigTtlSeconds: v[AWS_ENV.kubeconfigTtlSeconds] as number,
    eventRetentionDays: v[AWS_ENV.eventRetentionDays] as number,
    outboundAllow: v[AWS_ENV.outboundAllow] as OutboundAllowList,
    idempotencyTtlSeconds: v[AWS_ENV.idempotencyTtlSeconds] as number,
  };
}

/** A setting this function needs but the stack did not bind: a deployment bug, said plainly. */
export function required<T>(value: T | undefined, variable: string): T {
  if (value === undefined)
    throw new ConfigError(`${variable} is not set; the stack must bind it to this function`);
  return value;
}
