/** Lambda entry of the patch-subscription stage: SQS batches from its queue -> makePatchSubscriptionStage (#usecases/patch-subscription.ts). */
import { loadAwsConfig } from '#adapters/aws/aws-config.ts';
import { buildStageDeps } from '#adapters/aws/aws-stage-deps.ts';
import { observability, traceClients } from '#adapters/aws/lambda-observability.ts';
import { sqsLambda } from '#adapters/aws/lambda-sqs.ts';
import { stageRecordProcessor } from '#adapters/aws/lambda-stage-record.ts';
import { asLog } from '#shared/logger.ts';
import { makePatchSubscriptionStage } from '#usecases/patch-subscription.ts';

const observed = observability('patch-subscription');
const { logger, metrics, tracer } = observed;
const deps = buildStageDeps(loadAwsConfig());
traceClients(tracer, deps.clients);
const catalog = deps.catalogSource();
const processRecord = stageRecordProcessor({
  handle: makePatchSubscriptionStage({
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
