/**
 * Lambda entry of the patch-subscription stage: SQS batches from its queue -> makePatchSubscriptionStage
 * (#usecases/patch-subscription.ts), given what its row (#usecases/rows/patch-subscription.ts) needs and may send to.
 */
import { buildStageDeps } from '#adapters/aws/aws-stage-deps.ts';
import { consumerLambda } from '#adapters/aws/lambda-consumer.ts';
import { PATCH_SUBSCRIPTION_ROW } from '#usecases/rows/patch-subscription.ts';

export const handler = consumerLambda('patch-subscription', PATCH_SUBSCRIPTION_ROW, buildStageDeps);
