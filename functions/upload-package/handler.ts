/**
 * Lambda entry of the upload-package stage: SQS batches from its queue -> makeUploadPackageStage
 * (#usecases/upload-package.ts), given what its row in #usecases/consumers.ts needs and may send to.
 */
import { buildStageDeps } from '#adapters/aws/aws-stage-deps.ts';
import { consumerLambda } from '#adapters/aws/lambda-consumer.ts';

export const handler = consumerLambda('upload-package', buildStageDeps);
