/** Lambda entry of the validate stage: SQS batches from its queue -> makeValidateStage (#usecases/validate.ts). */
import { loadAwsConfig } from '#adapters/aws/aws-config.ts';
import { buildStageDeps } from '#adapters/aws/aws-stage-deps.ts';
import { observability, traceClients } from '#adapters/aws/lambda-observability.ts';
import { sqsLambda } from '#adapters/aws/lambda-sqs.ts';
import { stageRecordProcessor } from '#adapters/aws/lambda-stage-record.ts';
import { asLog } from '#shared/logger.ts';
import { makeValidateStage } from '#usecases/validate.ts';

const observed = observability('validate');
const { logger, metrics, tracer } = observed;
const deps = buildStageDeps(loadAwsConfig());
traceClients(tracer, deps.clients);
const catalog = deps.catalogSource();
const processRecord = stageRecordProcessor({
  handle: makeValidateStage({
    ...deps,
    log: asLog(logger),
    config: deps.awsConfig.pipeline,
    get catalog() {
      return catalog.current;
    },
  }),
  queue: deps.queue,
  clock: deps.clock,
  logger,
  metrics,
});

export const handler = sqsLambda({ processRecord, observed, beforeBatch: () => catalog.refresh() });
