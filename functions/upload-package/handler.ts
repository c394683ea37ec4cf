/** Lambda entry of the upload-package stage: SQS batches from its queue -> makeUploadPackageStage (#usecases/upload-package.ts). */
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
import { makeUploadPackageStage } from '#usecases/upload-package.ts';

const { logger, metrics, tracer } = observability('upload-package');
const deps = buildStageDeps(loadAwsConfig());
traceClients(tracer, deps.clients);
const catalog = deps.catalogSource();
const processRecord = stageRecordProcessor({
  handle: makeUploadPackageStage({
    ...deps,
    log: asLog(logger),
    config: deps.awsConfig.pipeline,
    get catalog() {
      return catalog.current;
    },
    artifacts: deps.artifactStore(),
    downloader: deps.artifactDownloader(),
    uploader: deps.packageUploader(),
  }),
  queue: deps.queue,
  clock: deps.clock,
  logger,
  metrics,
});
const processor = new BatchProcessor(EventType.SQS);

const main = async (event: SQSEvent, context: Context) => {
  await catalog.refresh();
  return processPartialResponse(event, processRecord, processor, { context, throwOnFullBatchFailure: false });
};

export const handler = middy(main)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
