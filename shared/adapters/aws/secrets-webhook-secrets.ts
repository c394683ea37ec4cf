/**
 * Webhook signing secrets on AWS, in Secrets Manager like the kubeconfigs: one secret per
 * endpoint under the stack's prefix (its JSON the list of signing secrets), and the callback
 * secret the stack generates. Values are never logged and never put into an error message.
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { ConfigError } from '#domain/errors.ts';
import { type SigningSecret, signingSecretSchema } from '#domain/webhooks/endpoint.ts';
import type { WebhookSecretStore } from '#shared/webhook-ports.ts';
import { awsErrorName, mapAwsError } from './aws-errors.ts';

const NOT_FOUND = 'ResourceNotFoundException';
const secretsSchema = z.array(signingSecretSchema);

export class SecretsManagerWebhookSecrets implements WebhookSecretStore {
  readonly #client: SecretsManagerClient;
  readonly #prefix: string;

  constructor(client: SecretsManagerClient, prefix: string) {
    this.#client = client;
    this.#prefix = prefix;
  }

  async put(endpointId: string, secrets: readonly SigningSecret[]): Promise<void> {
    const SecretString = JSON.stringify(secrets);
    const name = `${this.#prefix}${endpointId}`;
    try {
      await this.#client.send(new PutSecretValueCommand({ SecretId: name, SecretString }));
    } catch (error) {
      if (awsErrorName(error) !== NOT_FOUND)
        throw mapAwsError(error, `store the secrets of endpoint ${endpointId}`);
      await this.#client
        .send(new CreateSecretCommand({ Name: name, SecretString }))
        .catch((created: unknown) => {
          throw mapAwsError(created, `create the secret of endpoint ${endpointId}`);
        });
    }
  }

  async get(endpointId: string): Promise<SigningSecret[]> {
    try {
      const result = await this.#client.send(
        new GetSecretValueCommand({ SecretId: `${this.#prefix}${endpointId}` }),
      );
      return secretsSchema.parse(JSON.parse(result.SecretString ?? '[]'));
    } catch (error) {
      if (awsErrorName(error) === NOT_FOUND) return [];
      throw mapAwsError(error, `read the secrets of endpoint ${endpointId}`);
    }
  }

  async delete(endpointId: string): Promise<void> {
    try {
      await this.#client.send(
        new DeleteSecretCommand({
          SecretId: `${this.#prefix}${endpointId}`,
          ForceDeleteWithoutRecovery: true,
        }),
      );
    } catch (error) {
      if (awsErrorName(error) !== NOT_FOUND)
        throw mapAwsError(error, `delete the secret of endpoint ${endpointId}`);
    }
  }
}

/**
 * The callback signing secret, read once per cold start. The stack generates it as base64-safe
 * characters; the `whsec_` prefix is added when the stored value lacks it.
 */
export function secretsManagerCallbackSecret(
  client: SecretsManagerClient,
  arn: string,
): () => Promise<string> {
  let secret: Promise<string> | undefined;
  return () => {
    secret ??= client.send(new GetSecretValueCommand({ SecretId: arn })).then(
      ({ SecretString: value }) => {
        if (!value) throw new ConfigError('the callback signing secret has no SecretString');
        return value.startsWith('whsec_') ? value : `whsec_${value}`;
      },
      (error: unknown) => {
        secret = undefined;
        throw mapAwsError(error, 'read the callback signing secret');
      },
    );
    return secret;
  };
}

/**
 * The release webhook's secrets: one value, `whsec_` secrets separated by spaces (two during a
 * rotation; a generated value gets the prefix). Re-read after `ttlMs` so a rotation takes effect
 * on warm functions within minutes.
 */
export function secretsManagerReleaseSecrets(
  client: SecretsManagerClient,
  arn: string,
  clock: { now(): Date },
  ttlMs = 5 * 60_000,
): () => Promise<string[]> {
  let cached: { until: number; secrets: Promise<string[]> } | undefined;
  return () => {
    const now = clock.now().getTime();
    if (cached && cached.until > now) return cached.secrets;
    const secrets = client.send(new GetSecretValueCommand({ SecretId: arn })).then(
      ({ SecretString: value = '' }) =>
        value
          .split(/\s+/)
          .filter((each) => each !== '')
          .map((each) => (each.startsWith('whsec_') ? each : `whsec_${each}`)),
      (error: unknown) => {
        cached = undefined;
        throw mapAwsError(error, 'read the release webhook secrets');
      },
    );
    cached = { until: now + ttlMs, secrets };
    return secrets;
  };
}
