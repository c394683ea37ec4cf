/**
 * The ports every Lambda entry shares, built once per cold start. Kubernetes-facing ones live in
 * aws-stage-deps.ts so the API and notify bundles do not carry client-node. Ports that need a
 * binding only some functions get (the catalog, the artifact store) are built on first read: a
 * function reads only what its row in #usecases/consumers.ts needs. So never spread these deps.
 */
import type { Catalog } from '#domain/catalog.ts';
import { asLog } from '#shared/logger.ts';
import type { Clock } from '#shared/ports.ts';
import { type AwsClients, makeAwsClients } from './aws-clients.ts';
import { type AwsRuntimeConfig, required } from './aws-config.ts';
import { AWS_ENV } from './aws-env.ts';
import { DynamoBatchStore } from './dynamo-batch-store.ts';
import { DynamoClusterRegistry } from './dynamo-cluster-registry.ts';
import { DynamoEventLog } from './dynamo-event-log.ts';
import { DynamoJobStore } from './dynamo-job-store.ts';
import { metricsPort, type Observed, traceClients } from './lambda-observability.ts';
import { S3Catalog } from './s3-catalog.ts';
import { SqsQueue } from './sqs-queue.ts';

export const systemClock: Clock = { now: () => new Date() };

/** Defines `name` on `target` as built by `make` on first read, once. */
export function lazily<T extends object, K extends string, V>(
  target: T,
  name: K,
  make: () => V,
): T & Record<K, V> {
  let value: { built: V } | undefined;
  return Object.defineProperty(target, name, {
    enumerable: true,
    get: () => {
      value ??= { built: make() };
      return value.built;
    },
  }) as T & Record<K, V>;
}

export function buildCoreDeps(
  config: AwsRuntimeConfig,
  observed: Observed,
  clients: AwsClients = makeAwsClients(),
  clock = systemClock,
) {
  traceClients(observed.tracer, clients);
  const table = { client: clients.dynamo, tableName: config.tableName };
  const deps = lazily(
    {
      clock,
      log: asLog(observed.logger),
      metrics: metricsPort(observed.metrics),
      jobs: new DynamoJobStore(table),
      batches: new DynamoBatchStore(table),
      clusters: new DynamoClusterRegistry(table),
      queue: new SqsQueue({ client: clients.sqs, urls: config.queueUrls, clock }),
      events: new DynamoEventLog({ ...table, retentionDays: config.eventRetentionDays }),
      config: config.pipeline,
      /** Re-reads the catalog when its TTL has passed (a failed read keeps the last good one). */
      refreshCatalog: () => deps.catalogSource.refresh(),
    },
    'catalogSource',
    () =>
      new S3Catalog({
        client: clients.s3,
        bucket: required(config.bucketName, AWS_ENV.bucketName),
        key: required(config.catalogKey, AWS_ENV.catalogKey),
        clock,
      }),
  );
  // Not memoized: each read is the catalog as last refreshed.
  Object.defineProperty(deps, 'catalog', { enumerable: true, get: () => deps.catalogSource.current });
  return deps as typeof deps & { readonly catalog: Catalog };
}

export type CoreDeps = ReturnType<typeof buildCoreDeps>;
