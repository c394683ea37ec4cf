/**
 * The release webhook on AWS, for the API alone (the only function the stack binds its secret
 * to): the release secrets in Secrets Manager, the catalog object replaced by a PutObject
 * conditional on its ETag, release ids on the job table until the replay window ends. `releases`
 * is there only where the secret is bound; its parts and their clients are made on the first
 * release, so a cold start pays for none of them.
 */
import type { Clock } from '#shared/ports.ts';
import type { ReceiveReleaseDeps } from '#usecases/receive-release.ts';
import { type AwsRuntimeConfig, required } from './aws-config.ts';
import { lazily } from './aws-core-deps.ts';
import { AWS_ENV } from './aws-env.ts';
import { makeDynamoClient } from './dynamo-client.ts';
import { DynamoReleaseLog } from './dynamo-release-log.ts';
import { type Observed, traceClients } from './lambda-observability.ts';
import { CATALOG_TTL_SECONDS } from './s3-catalog.ts';
import { S3CatalogStore } from './s3-catalog-store.ts';
import { makeS3Client } from './s3-client.ts';
import { makeSecretsClient } from './secrets-kubeconfig.ts';
import { secretsManagerReleaseSecrets } from './secrets-webhook-secrets.ts';

export function withReleaseWebhook<D extends { clock: Clock }>(
  deps: D,
  config: AwsRuntimeConfig,
  observed: Observed,
): D & { releases?: ReceiveReleaseDeps } {
  const arn = config.releaseSecretArn;
  if (!arn) return deps;
  const { clock } = deps;
  const traced = <C extends Parameters<typeof traceClients>[1][number]>(client: C) => {
    traceClients(observed.tracer, [client]);
    return client;
  };
  // A policy's batch starts once every warm function has re-read the catalog (validate, rollout).
  const settings = {
    clock,
    policies: config.rolloutPolicies,
    catalogPropagationSeconds: CATALOG_TTL_SECONDS,
  };
  const withSecrets = lazily(settings, 'releaseSecrets', () =>
    secretsManagerReleaseSecrets(traced(makeSecretsClient()), arn, clock),
  );
  const withCatalog = lazily(
    withSecrets,
    'catalogStore',
    () =>
      new S3CatalogStore({
        client: traced(makeS3Client()),
        bucket: required(config.bucketName, AWS_ENV.bucketName),
        key: required(config.catalogKey, AWS_ENV.catalogKey),
      }),
  );
  const releases: ReceiveReleaseDeps = lazily(
    withCatalog,
    'releaseLog',
    () => new DynamoReleaseLog({ client: traced(makeDynamoClient()), tableName: config.tableName }, clock),
  );
  return Object.assign(deps, { releases });
}
