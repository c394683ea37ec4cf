/** Lambda entry of the check-backup stage: SQS batches from its queue -> makeCheckBackupStage (#usecases/check-backup.ts). */
import { loadAwsConfig } from '#adapters/aws/aws-config.ts';
import { buildStageDeps } from '#adapters/aws/aws-stage-deps.ts';
import { observability, traceClients } from '#adapters/aws/lambda-observability.ts';
import { sqsLambda } from '#adapters/aws/lambda-sqs.ts';
import { stageRecordProcessor } from '#adapters/aws/lambda-stage-record.ts';
import { asLog } from '#shared/logger.ts';
import { makeCheckBackupStage } from '#usecases/check-backup.ts';

const observed = observability('check-backup');
const { logger, metrics, tracer } = observed;
const deps = buildStageDeps(loadAwsConfig());
traceClients(tracer, deps.clients);

const processRecord = stageRecordProcessor({
  handle: makeCheckBackupStage({ ...deps, log: asLog(logger), config: deps.awsConfig.pipeline }),
  queue: deps.queue,
  clock: deps.clock,
  logger,
  metrics,
});

export const handler = sqsLambda({ processRecord, observed });
