/**
 * Kubeconfigs from Secrets Manager, by the ARN on the cluster record. Cached per warm Lambda for
 * a short TTL so a rotated token is picked up within minutes without a GetSecretValue per
 * message: the gateway asks again each time it hands out a client and rebuilds the client when
 * the text changed (kube-cluster-gateway.ts). The secret text is never logged and never put into
 * an error message.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '#domain/errors.ts';
import type { Clock, ClusterRecord } from '#shared/ports.ts';
import { type AwsClientOptions, clientConfig } from './aws-client-config.ts';
import { mapAwsError } from './aws-errors.ts';

export function makeSecretsClient(options: AwsClientOptions = {}): SecretsManagerClient {
  return new SecretsManagerClient(clientConfig(options, 'secretsManager'));
}

export interface SecretsKubeconfigOptions {
  client: SecretsManagerClient;
  clock: Clock;
  ttlMs?: number;
}

export type KubeconfigText = (cluster: ClusterRecord) => Promise<string>;

export function secretsManagerKubeconfigs(options: SecretsKubeconfigOptions): KubeconfigText {
  const ttlMs = options.ttlMs ?? 5 * 60_000;
  const cache = new Map<string, { expires: number; text: Promise<string> }>();
  return (cluster) => {
    const arn = cluster.kubeconfigSecretArn;
    if (!arn) {
      return Promise.reject(
        new ConfigError(`cluster ${cluster.name} has no kubeconfigSecretArn in the registry`),
      );
    }
    const now = options.clock.now().getTime();
    const cached = cache.get(arn);
    if (cached && cached.expires > now) return cached.text;
    const text = fetchSecret(options.client, arn, cluster.name);
    text.catch(() => cache.delete(arn));
    cache.set(arn, { expires: now + ttlMs, text });
    return text;
  };
}

async function fetchSecret(client: SecretsManagerClient, arn: string, cluster: string): Promise<string> {
  let secret: string | undefined;
  try {
    secret = (await client.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString;
  } catch (error) {
    throw mapAwsError(error, `read the kubeconfig secret of cluster ${cluster}`);
  }
  if (!secret) throw new ConfigError(`the kubeconfig secret of cluster ${cluster} has no SecretString`);
  return secret;
}
