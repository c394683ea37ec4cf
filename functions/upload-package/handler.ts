/** Lambda entry of the upload-package stage: SQS batches from its queue -> makeUploadPackageStage (#usecases/upload-package.ts). */
import { loadAwsConfig } from '#adapters/aws/aws-config.ts';
import { buildStageDeps } from '#adapters/aws/aws-stage-deps.ts';
import { observability, traceClients } from '#adapters/aws/lambda-observability.ts';
import { sqsLambda } from '#adapters/aws/lambda-sqs.ts';
import { stageRecordProcessor } from '#adapters/aws/lambda-stage-record.ts';
import { asLog } from '#shared/logger.ts';
import { makeUploadPackageStage } from '#usecases/upload-package.ts';

const observed = observability('upload-package');
const { logger, metrics, tracer } = observed;
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

export const handler = sqsLambda({ processRecord, observed, beforeBatch: () => catalog.refresh() });
