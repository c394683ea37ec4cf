/**
 * Lambda entry of the upload-package stage: SQS batches from its queue -> makeUploadPackageStage
 * (#usecases/upload-package.ts), given what its row in #usecases/consumers.ts needs and may send to:
 * the stage ports plus the artifact store and violet (#adapters/aws/aws-upload-deps.ts).
 */
import { buildUploadDeps } from '#adapters/aws/aws-upload-deps.ts';
import { consumerLambda } from '#adapters/aws/lambda-consumer.ts';

export const handler = consumerLambda('upload-package', buildUploadDeps);
