/**
 * The common tail of every SQS-triggered Lambda entry: a Powertools batch that reports partial
 * failures (`batchItemFailures`, never a thrown batch), wrapped in middy with the Logger, Metrics
 * and Tracer middlewares, so each functions/<name>/handler.ts only says what its records do.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { observability } from './lambda-observability.ts';

export interface SqsLambdaOptions {
  processRecord: (record: SQSRecord) => Promise<void>;
  observed: ReturnType<typeof observability>;
  /** Runs once per batch before its records, e.g. refreshing the catalog. */
  beforeBatch?: () => Promise<void>;
}

export function sqsLambda({ processRecord, observed, beforeBatch }: SqsLambdaOptions) {
  const processor = new BatchProcessor(EventType.SQS);
  const main = async (event: SQSEvent, context: Context) => {
    await beforeBatch?.();
    // A fully failed batch is reported as a list too: Lambda treats both alike, and a throw would
    // hide which records failed from the logs.
    return processPartialResponse(event, processRecord, processor, {
      context,
      throwOnFullBatchFailure: false,
    });
  };
  const { logger, metrics, tracer } = observed;
  return middy(main)
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}
