/** Lambda entry of the verify stage: SQS batches from its queue -> makeVerifyStage (#usecases/verify.ts). */
import { loadAwsConfig } from '#adapters/aws/aws-config.ts';
import { buildStageDeps } from '#adapters/aws/aws-stage-deps.ts';
import { observability, traceClients } from '#adapters/aws/lambda-observability.ts';
import { sqsLambda } from '#adapters/aws/lambda-sqs.ts';
import { stageRecordProcessor } from '#adapters/aws/lambda-stage-record.ts';
import { asLog } from '#shared/logger.ts';
import { makeVerifyStage } from '#usecases/verify.ts';

const observed = observability('verify');
const { logger, metrics, tracer } = observed;
const deps = buildStageDeps(loadAwsConfig());
traceClients(tracer, deps.clients);

const processRecord = stageRecordProcessor({
  handle: makeVerifyStage({ ...deps, log: asLog(logger), config: deps.awsConfig.pipeline }),
  queue: deps.queue,
  clock: deps.clock,
  logger,
  metrics,
});

export const handler = sqsLambda({ processRecord, observed });
