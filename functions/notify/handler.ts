/**
 * Lambda entry of notify: job events from the notify queue are recorded beside their job (TTL'd)
 * and counted as EMF metrics (jobs started/succeeded/failed/blocked/cancelled).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import { loadAwsConfig } from '#adapters/aws/aws-config.ts';
import { buildCoreDeps } from '#adapters/aws/aws-core-deps.ts';
import { observability, traceClients } from '#adapters/aws/lambda-observability.ts';
import { sqsLambda } from '#adapters/aws/lambda-sqs.ts';
import { parseJobEventRecord } from '#adapters/aws/sqs-notifier.ts';

const OUTCOME_METRICS: Record<string, string> = {
  'upgrade.queued': 'JobsStarted',
  'upgrade.succeeded': 'JobsSucceeded',
  'upgrade.failed': 'JobsFailed',
  'upgrade.blocked': 'JobsBlocked',
  'upgrade.cancelled': 'JobsCancelled',
};

const observed = observability('notify');
const { metrics, tracer } = observed;
const deps = buildCoreDeps(loadAwsConfig());
traceClients(tracer, deps.clients);

const processRecord = async (record: SQSRecord) => {
  const event = parseJobEventRecord(record.body);
  await deps.events.emit(event);
  const metric = OUTCOME_METRICS[event.type];
  if (metric) metrics.addMetric(metric, MetricUnit.Count, 1);
};

export const handler = sqsLambda({ processRecord, observed });
