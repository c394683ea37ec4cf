/**
 * The ports every Lambda entry shares, built once per cold start over the two clients every
 * function uses (SQS, DynamoDB). What only some functions need comes from the builders that add
 * it: the catalog (aws-catalog-deps.ts, S3), the cluster gateway (aws-stage-deps.ts, Secrets Manager and
 * client-node), the batches (aws-batch-deps.ts), the artifact store and violet (aws-upload-deps.ts, lib-storage), so a function
 * loads only the SDK clients and libraries its row (#usecases/rows/) needs. Ports that
 * need a binding are built on first read, so never spread these deps. The webhook stores live on
 * the job table, so every function has them; signing (Secrets Manager) is aws-webhook-deps.ts's.
 */

import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { asLog } from '#shared/logger.ts';
import type { Clock } from '#shared/ports.ts';
import type { AwsRuntimeConfig } from './aws-config.ts';
import { makeDynamoClient } from './dynamo-client.ts';
import { DynamoClusterRegistry } from './dynamo-cluster-registry.ts';
import { DynamoDeliveryStore } from './dynamo-deliveries.ts';
import { DynamoJobStore } from './dynamo-job-store.ts';
import { DynamoWaitHistory } from './dynamo-wait-history.ts';
import { DynamoWebhookEndpoints } from './dynamo-webhook-endpoints.ts';
import { metricsPort, type Observed, traceClients } from './lambda-observability.ts';
import { makeSqsClient, SqsQueue } from './sqs-queue.ts';

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

export interface CoreClients {
  sqs: SQSClient;
  dynamo: DynamoDBDocumentClient;
}

export function buildCoreDeps(
  config: AwsRuntimeConfig,
  observed: Observed,
  clients: CoreClients = { sqs: makeSqsClient(), dynamo: makeDynamoClient() },
  clock = systemClock,
) {
  traceClients(observed.tracer, [clients.sqs, clients.dynamo]);
  const table = { client: clients.dynamo, tableName: config.tableName };
  return {
    /** The job table, for the stores only some functions build (aws-batch-deps.ts). */
    table,
    clock,
    log: asLog(observed.logger),
    metrics: metricsPort(observed.metrics),
    jobs: new DynamoJobStore(table),
    clusters: new DynamoClusterRegistry(table),
    waitHistory: new DynamoWaitHistory(table),
    queue: new SqsQueue({ client: clients.sqs, urls: config.queueUrls, clock }),
    config: config.pipeline,
    webhookEndpoints: new DynamoWebhookEndpoints(table),
    deliveries: new DynamoDeliveryStore({ ...table, retentionDays: config.eventRetentionDays }),
    outbound: { allow: config.outboundAllow, requireHttps: config.requireHttps },
  };
}

export type CoreDeps = ReturnType<typeof buildCoreDeps>;
