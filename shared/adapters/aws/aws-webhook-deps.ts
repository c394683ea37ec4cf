/**
 * Webhook signing on AWS, for the functions the stack binds to it (the webhook-delivery function
 * and the API): endpoint and callback secrets in Secrets Manager, the sender. The stores are on
 * the job table, in the core deps (notify fans out with them and loads no Secrets Manager client).
 * Built on first read like the other bound ports, so never spread these deps.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { HttpWebhookSender } from '#adapters/webhook-sender.ts';
import { type AwsRuntimeConfig, required } from './aws-config.ts';
import { buildCoreDeps, lazily, systemClock } from './aws-core-deps.ts';
import { AWS_ENV } from './aws-env.ts';
import type { Observed } from './lambda-observability.ts';
import { makeSecretsClient } from './secrets-kubeconfig.ts';
import { SecretsManagerWebhookSecrets, secretsManagerCallbackSecret } from './secrets-webhook-secrets.ts';

/** `deps` with the webhook secrets and sender; the Secrets Manager client is made on first use. */
export function withWebhookSigning<D extends object>(
  deps: D,
  config: AwsRuntimeConfig,
  observed: Observed,
  makeSecrets: () => SecretsManagerClient = makeSecretsClient,
) {
  const clients = lazily({}, 'secrets', () => {
    const secrets = makeSecrets();
    observed.tracer.captureAWSv3Client(secrets);
    return secrets;
  });
  const withSecrets = lazily(
    deps,
    'webhookSecrets',
    () =>
      new SecretsManagerWebhookSecrets(
        clients.secrets,
        required(config.webhookSecretPrefix, AWS_ENV.webhookSecretPrefix),
      ),
  );
  const withSender = lazily(
    withSecrets,
    'webhookSender',
    () => new HttpWebhookSender({ allow: config.outboundAllow, requireHttps: config.requireHttps }),
  );
  return lazily(withSender, 'callbackSecret', () =>
    secretsManagerCallbackSecret(
      clients.secrets,
      required(config.callbackSecretArn, AWS_ENV.callbackSecretArn),
    ),
  );
}

/** The webhook-delivery function: the core ports and signing, no catalog, no Kubernetes client. */
export function buildWebhookDeliveryDeps(config: AwsRuntimeConfig, observed: Observed, clock = systemClock) {
  return withWebhookSigning(buildCoreDeps(config, observed, undefined, clock), config, observed);
}
