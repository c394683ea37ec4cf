/**
 * The catalog for the functions that read it (the API, the stages): the catalog object of the
 * artifact bucket over S3, which notify never loads.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Catalog } from '#domain/catalog.ts';
import { type AwsRuntimeConfig, required } from './aws-config.ts';
import { lazily, systemClock } from './aws-core-deps.ts';
import { AWS_ENV } from './aws-env.ts';
import { type Observed, traceClients } from './lambda-observability.ts';
import { S3Catalog } from './s3-catalog.ts';
import { makeS3Client } from './s3-client.ts';

/**
 * `deps` with the catalog object of the bucket: read on first use, re-read by refreshCatalog()
 * when its TTL has passed (a failed read keeps the last good one).
 */
export function withCatalog<D extends object>(
  deps: D,
  config: AwsRuntimeConfig,
  observed: Observed,
  s3: S3Client = makeS3Client(),
  clock = systemClock,
) {
  traceClients(observed.tracer, [s3]);
  const withSource = lazily(
    Object.assign(deps, { refreshCatalog: () => withSource.catalogSource.refresh() }),
    'catalogSource',
    () =>
      new S3Catalog({
        client: s3,
        bucket: required(config.bucketName, AWS_ENV.bucketName),
        key: required(config.catalogKey, AWS_ENV.catalogKey),
        clock,
      }),
  );
  // Not memoized: each read is the catalog as last refreshed.
  Object.defineProperty(withSource, 'catalog', {
    enumerable: true,
    get: () => withSource.catalogSource.current,
  });
  return withSource as typeof withSource & { readonly catalog: Catalog };
}
