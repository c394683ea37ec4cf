/**
 * The Lambda entries' configuration: the variables the stack sets (aws-env.ts), validated once
 * per cold start (#shared/config-loader.ts). A function reads only the variables its bindings
 * gave it, so everything except the table is optional here and required where used (`required`).
 */
import * as z from 'zod';
import { ConfigError } from '#domain/errors.ts';
import { NO_OUTBOUND_ALLOW, outboundAllowSchema } from '#domain/outbound-address.ts';
import { DEFAULT_IDEMPOTENCY_TTL_SECONDS } from '#domain/upgrade-request.ts';
import {
  type Environment,
  jsonText,
  loadEnvironment,
  rolloutPoliciesSetting,
} from '#shared/config-loader.ts';
import { pipelineOverridesSchema } from '#usecases/pipeline-config.ts';
import { AWS_DEFAULTS, AWS_ENV, queueOfVariable } from './aws-env.ts';

const positive = z.coerce.number().int().positive();

const variables = z.object({
  [AWS_ENV.pipelineConfig]: jsonText.pipe(pipelineOverridesSchema).default({}),
  [AWS_ENV.tableName]: z.string().min(1),
  [AWS_ENV.bucketName]: z.string().min(1).optional(),
  [AWS_ENV.catalogKey]: z.string().min(1).optional(),
  [AWS_ENV.violetPath]: z.string().min(1).default(AWS_DEFAULTS.violetPath),
  [AWS_ENV.violetTimeoutSeconds]: positive.default(AWS_DEFAULTS.violetTimeoutSeconds),
  [AWS_ENV.artifactCaPem]: z
    .string()
    .includes('-----BEGIN CERTIFICATE-----', 'is not a PEM certificate')
    .optional(),
  [AWS_ENV.kubeconfigTtlSeconds]: positive.default(AWS_DEFAULTS.kubeconfigTtlSeconds),
  [AWS_ENV.eventRetentionDays]: positive.default(AWS_DEFAULTS.eventRetentionDays),
  [AWS_ENV.outboundAllow]: outboundAllowSchema.default(NO_OUTBOUND_ALLOW),
  [AWS_ENV.idempotencyTtlSeconds]: positive.default(DEFAULT_IDEMPOTENCY_TTL_SECONDS),
  [AWS_ENV.outboundAllowHttp]: z.stringbool().default(false),
  [AWS_ENV.webhookSecretPrefix]: z.string().min(1).optional(),
  [AWS_ENV.callbackSecretArn]: z.string().min(1).optional(),
  [AWS_ENV.releaseSecretArn]: z.string().min(1).optional(),
  [AWS_ENV.rolloutPolicies]: rolloutPoliciesSetting,
  [AWS_ENV.webhookSecretOverlapSeconds]: z.coerce
    .number()
    .int()
    .min(0)
    .default(AWS_DEFAULTS.webhookSecretOverlapSeconds),
});

/** Every queueUrlVariable the stack set, validated under its own name, then keyed by queue name. */
const queueUrlVariables = z
  .record(z.string(), z.unknown())
  .transform((env) => Object.fromEntries(Object.entries(env).filter(([name]) => queueOfVariable(name))))
  .pipe(z.record(z.string(), z.url()))
  .transform((urls) => ({
    queueUrls: Object.fromEntries(
      Object.entries(urls).flatMap(([name, url]) => {
        const queue = queueOfVariable(name);
        return queue === undefined ? [] : [[queue, url]];
      }),
    ),
  }));

const awsConfigSchema = z.intersection(variables, queueUrlVariables).transform((v) => ({
  /** Timing and gate overrides of the stage use cases (#usecases/pipeline-config.ts). */
  pipeline: v[AWS_ENV.pipelineConfig],
  tableName: v[AWS_ENV.tableName],
  bucketName: v[AWS_ENV.bucketName],
  catalogKey: v[AWS_ENV.catalogKey],
  /** Only the queues this function may send to (#usecases/consumers.ts `sends`). */
  queueUrls: v.queueUrls,
  violetPath: v[AWS_ENV.violetPath],
  violetTimeoutSeconds: v[AWS_ENV.violetTimeoutSeconds],
  /** A CA the artifact downloads trust besides the system's (a private artifact host). */
  artifactCaPem: v[AWS_ENV.artifactCaPem],
  kubeconfigTtlSeconds: v[AWS_ENV.kubeconfigTtlSeconds],
  eventRetentionDays: v[AWS_ENV.eventRetentionDays],
  outboundAllow: v[AWS_ENV.outboundAllow],
  idempotencyTtlSeconds: v[AWS_ENV.idempotencyTtlSeconds],
  /** Plain http is refused on AWS unless the stack admits it (outboundAllowHttp). */
  requireHttps: !v[AWS_ENV.outboundAllowHttp],
  webhookSecretPrefix: v[AWS_ENV.webhookSecretPrefix],
  callbackSecretArn: v[AWS_ENV.callbackSecretArn],
  releaseSecretArn: v[AWS_ENV.releaseSecretArn],
  /** What a release starts by itself (#domain/rollout/rollout-policy.ts). */
  rolloutPolicies: v[AWS_ENV.rolloutPolicies],
  secretOverlapSeconds: v[AWS_ENV.webhookSecretOverlapSeconds],
}));

export type AwsRuntimeConfig = z.output<typeof awsConfigSchema>;

export function loadAwsConfig(env: Environment = process.env): AwsRuntimeConfig {
  return loadEnvironment(awsConfigSchema, env, { what: 'invalid function environment' });
}

/** A setting this function needs but the stack did not bind: a deployment bug, said plainly. */
export function required<T>(value: T | undefined, variable: string): T {
  if (value === undefined)
    throw new ConfigError(`${variable} is not set; the stack must bind it to this function`);
  return value;
}
