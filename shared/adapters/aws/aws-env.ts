/**
 * Names of the environment variables the stack sets and the Lambda entries read. Shared by
 * infra/ and aws-config.ts so a renamed variable cannot silently break one side.
 */
export const AWS_ENV = {
  tableName: 'UPGRADER_TABLE_NAME',
  bucketName: 'UPGRADER_BUCKET_NAME',
  catalogKey: 'UPGRADER_CATALOG_KEY',
  violetPath: 'UPGRADER_VIOLET_PATH',
  /** How long a `violet push` may run: the upload function's timeout less the time to commit its outcome. */
  violetTimeoutSeconds: 'UPGRADER_VIOLET_TIMEOUT_SECONDS',
  kubeconfigTtlSeconds: 'UPGRADER_KUBECONFIG_TTL_SECONDS',
  eventRetentionDays: 'UPGRADER_EVENT_RETENTION_DAYS',
  /** Non-public callback destinations admitted anyway (#domain/outbound-address.ts). */
  outboundAllow: 'UPGRADER_OUTBOUND_ALLOW',
  idempotencyTtlSeconds: 'UPGRADER_IDEMPOTENCY_TTL_SECONDS',
  /** PEM of a CA the artifact downloads trust besides the system's (a private artifact host). */
  artifactCaPem: 'UPGRADER_ARTIFACT_CA_PEM',
  /** "true" admits plain-http webhook receivers; https only otherwise. */
  outboundAllowHttp: 'UPGRADER_OUTBOUND_ALLOW_HTTP',
  /** Name prefix of the endpoints' signing-secret secrets in Secrets Manager. */
  webhookSecretPrefix: 'UPGRADER_WEBHOOK_SECRET_PREFIX',
  /** ARN of the secret that signs deliveries to callback URLs. */
  callbackSecretArn: 'UPGRADER_CALLBACK_SECRET_ARN',
  /** How long a rotated-out endpoint secret keeps signing, seconds. */
  webhookSecretOverlapSeconds: 'UPGRADER_WEBHOOK_SECRET_OVERLAP_SECONDS',
  /** ARN of the secret holding the release webhook's whsec_ secrets (space-separated). */
  releaseSecretArn: 'UPGRADER_RELEASE_SECRET_ARN',
  /** The rollout policies a release starts batches by (JSON, #domain/rollout/rollout-policy.ts). */
  rolloutPolicies: 'UPGRADER_ROLLOUT_POLICIES',
  /** JSON of the stage use cases' timing overrides (poll, retry, deadlines). */
  pipelineConfig: 'UPGRADER_PIPELINE_CONFIG',
} as const;

/**
 * Defaults of settings the stack passes to the functions (stack config) and the functions fall
 * back to when a variable is absent (aws-config.ts): written once so the two cannot drift.
 */
export const AWS_DEFAULTS = {
  /** The violet CLI inside the upload function (shipped in a layer). */
  violetPath: '/opt/bin/violet',
  /** The default upload timeout (600 s) less VIOLET_COMMIT_MARGIN_SECONDS. */
  violetTimeoutSeconds: 570,
  /** How long a warm function keeps a kubeconfig read from Secrets Manager. */
  kubeconfigTtlSeconds: 300,
  /** Job events expire (DynamoDB TTL) after this many days. */
  eventRetentionDays: 90,
  /** A rotated-out webhook secret signs beside the new one for a day. */
  webhookSecretOverlapSeconds: 86_400,
} as const;

/**
 * A push is stopped this long before its function would time out, so the stage can still commit
 * the wait (the push is then confirmed on the cluster) instead of dying with the invocation.
 */
export const VIOLET_COMMIT_MARGIN_SECONDS = 30;

const QUEUE_URL_PREFIX = 'UPGRADER_QUEUE_URL_';

/** The variable holding a queue's URL, e.g. UPGRADER_QUEUE_URL_CHECK_BACKUP; set only for queues a function may send to. */
export function queueUrlVariable(queue: string): string {
  return `${QUEUE_URL_PREFIX}${queue.toUpperCase().replaceAll('-', '_')}`;
}

/** The queue a queueUrlVariable names, or undefined for any other variable. */
export function queueOfVariable(variable: string): string | undefined {
  if (!variable.startsWith(QUEUE_URL_PREFIX)) return undefined;
  return variable.slice(QUEUE_URL_PREFIX.length).toLowerCase().replaceAll('_', '-');
}
