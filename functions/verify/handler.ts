/** Lambda entry of the verify stage: SQS batches from its queue -> makeVerifyStage (#usecases/verify.ts). */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent } from 'aws-lambda';
import { loadAwsConfig } from '#adapters/aws/aws-config.ts';
import { buildStageDeps } from '#adapters/aws/aws-stage-deps.ts';
import { observability, traceClients } from '#adapters/aws/lambda-observability.ts';
import { stageRecordProcessor } from '#adapters/aws/lambda-stage-record.ts';
import { asLog } from '#shared/logger.ts';
import { makeVerifyStage } from '#usecases/verify.ts';

const { logger, metrics, tracer } = observability('verify');
const deps = buildStageDeps(loadAwsConfig());
traceClients(tracer, deps.clients);

const processRecord = stageRecordProcessor({
  handle: makeVerifyStage({ ...deps, log: asLog(logger), config: deps.awsConfig.pipeline }),
  queue: deps.queue,
  clock: deps.clock,
  logger,
  metrics,
});
const processor = new BatchProcessor(EventType.SQS);

const main = async (event: SQSEvent, context: Context) => {
  return processPartialResponse(event, processRecord, processor, { context, throwOnFullBatchFailure: false });
};

export const handler = middy(main)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
