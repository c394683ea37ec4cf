/**
 * Names of the environment variables the stack sets and the Lambda entries read. Shared by
 * infra/ and aws-config.ts so a renamed variable cannot silently break one side.
 */
import type { StageName } from '#domain/job.ts';

export const AWS_ENV = {
  tableName: 'UPGRADER_TABLE_NAME',
  bucketName: 'UPGRADER_BUCKET_NAME',
  catalogKey: 'UPGRADER_CATALOG_KEY',
  notifyQueueUrl: 'UPGRADER_QUEUE_URL_NOTIFY',
  violetPath: 'UPGRADER_VIOLET_PATH',
  kubeconfigTtlSeconds: 'UPGRADER_KUBECONFIG_TTL_SECONDS',
  eventRetentionDays: 'UPGRADER_EVENT_RETENTION_DAYS',
  /** Non-public callback destinations admitted anyway (#domain/outbound-address.ts). */
  outboundAllow: 'UPGRADER_OUTBOUND_ALLOW',
  idempotencyTtlSeconds: 'UPGRADER_IDEMPOTENCY_TTL_SECONDS',
  /** JSON of the stage use cases' timing overrides (poll, retry, deadlines). */
  pipelineConfig: 'UPGRADER_PIPELINE_CONFIG',
} as const;

export function queueUrlVariable(stage: StageName): string {
  return `UPGRADER_QUEUE_URL_${stage.toUpperCase().replaceAll('-', '_')}`;
}
