/**
 * Lambda entry of the verify stage: SQS batches from its queue -> makeVerifyStage
 * (#usecases/verify.ts), given what its row in #usecases/consumers.ts needs and may send to.
 */
import { buildStageDeps } from '#adapters/aws/aws-stage-deps.ts';
import { consumerLambda } from '#adapters/aws/lambda-consumer.ts';

export const handler = consumerLambda('verify', buildStageDeps);
