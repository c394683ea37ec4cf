/**
 * Lambda entry of the rollout: messages from its queue (a batch created or commanded, a job of
 * it ended, its timers) -> makeRollout (#usecases/rollout.ts), given what its row in
 * #usecases/consumers.ts needs (the batches, the catalog, kubeconfigs for the re-checks, the
 * webhook stores for the batch's events) and may send to (validate and notify through
 * createUpgrade, any stage through a cancel, itself, webhook-delivery).
 */
import { withBatches } from '#adapters/aws/aws-batch-deps.ts';
import { buildStageDeps } from '#adapters/aws/aws-stage-deps.ts';
import { consumerLambda } from '#adapters/aws/lambda-consumer.ts';
import { ROLLOUT_ROW } from '#usecases/rows/rollout.ts';

export const handler = consumerLambda('rollout', ROLLOUT_ROW, (config, observed) =>
  withBatches(buildStageDeps(config, observed)),
);
