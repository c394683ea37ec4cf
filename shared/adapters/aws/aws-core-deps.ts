/**
 * The AWS adapters every Lambda entry shares, built once per cold start. Kubernetes-facing
 * pieces live in aws-stage-deps.ts so the API and notify bundles do not carry client-node.
 */
import type { Clock } from '#shared/ports.ts';
import { type AwsClients, makeAwsClients } from './aws-clients.ts';
import type { AwsRuntimeConfig } from './aws-config.ts';
import { DynamoClusterRegistry } from './dynamo-cluster-registry.ts';
import { DynamoEventLog } from './dynamo-event-log.ts';
import { DynamoJobStore } from './dynamo-job-store.ts';
import { SqsNotifier } from './sqs-notifier.ts';
import { SqsQueue } from './sqs-queue.ts';

export const systemClock: Clock = { now: () => new Date() };

export function buildCoreDeps(
  config: AwsRuntimeConfig,
  clients: AwsClients = makeAwsClients(),
  clock = systemClock,
) {
  const table = { client: clients.dynamo, tableName: config.tableName };
  const events = new DynamoEventLog({ ...table, retentionDays: config.eventRetentionDays });
  return {
    awsConfig: config,
    clients,
    clock,
    jobs: new DynamoJobStore(table),
    clusters: new DynamoClusterRegistry(table),
    queue: new SqsQueue({ client: clients.sqs, urls: config.queueUrls, clock }),
    events,
    // Without a notify queue (the notify function itself) events are recorded directly.
    notifier: config.notifyQueueUrl ? new SqsNotifier(clients.sqs, config.notifyQueueUrl) : events,
  };
}

export type CoreDeps = ReturnType<typeof buildCoreDeps>;
