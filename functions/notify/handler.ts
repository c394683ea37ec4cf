/**
 * Lambda entry of notify: job events from the notify queue are recorded beside their job (TTL'd)
 * and counted as EMF metrics (jobs started/succeeded/failed/blocked/cancelled).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadAwsConfig } from '#adapters/aws/aws-config.ts';
import { buildCoreDeps } from '#adapters/aws/aws-core-deps.ts';
import { observability, traceClients } from '#adapters/aws/lambda-observability.ts';
import { parseJobEventRecord } from '#adapters/aws/sqs-notifier.ts';

const OUTCOME_METRICS: Record<string, string> = {
  'upgrade.queued': 'JobsStarted',
  'upgrade.succeeded': 'JobsSucceeded',
  'upgrade.failed': 'JobsFailed',
  'upgrade.blocked': 'JobsBlocked',
  'upgrade.cancelled': 'JobsCancelled',
};

const { logger, metrics, tracer } = observability('notify');
const deps = buildCoreDeps(loadAwsConfig());
traceClients(tracer, deps.clients);
const processor = new BatchProcessor(EventType.SQS);

const processRecord = async (record: SQSRecord) => {
  const event = parseJobEventRecord(record.body);
  await deps.events.emit(event);
  const metric = OUTCOME_METRICS[event.type];
  if (metric) metrics.addMetric(metric, MetricUnit.Count, 1);
};

const main = (event: SQSEvent, context: Context) =>
  processPartialResponse(event, processRecord, processor, { context, throwOnFullBatchFailure: false });

export const handler = middy(main)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
