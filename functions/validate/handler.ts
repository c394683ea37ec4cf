/**
 * Lambda entry of the validate stage: SQS batches from its queue -> makeValidateStage
 * (#usecases/validate.ts), given what its row (#usecases/rows/validate.ts) needs and may send to.
 */
import { buildStageDeps } from '#adapters/aws/aws-stage-deps.ts';
import { consumerLambda } from '#adapters/aws/lambda-consumer.ts';
import { VALIDATE_ROW } from '#usecases/rows/validate.ts';

export const handler = consumerLambda('validate', VALIDATE_ROW, buildStageDeps);
