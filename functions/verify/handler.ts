/**
 * Lambda entry of the verify stage: SQS batches from its queue -> makeVerifyStage
 * (#usecases/verify.ts), given what its row (#usecases/rows/verify.ts) needs and may send to.
 */
import { buildClusterStageDeps } from '#adapters/aws/aws-cluster-stage-deps.ts';
import { consumerLambda } from '#adapters/aws/lambda-consumer.ts';
import { VERIFY_ROW } from '#usecases/rows/verify.ts';

export const handler = consumerLambda('verify', VERIFY_ROW, buildClusterStageDeps);
