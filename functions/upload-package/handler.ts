/**
 * Lambda entry of the upload-package stage: SQS batches from its queue -> makeUploadPackageStage
 * (#usecases/upload-package.ts), given what its row (#usecases/rows/upload-package.ts) needs and may send to:
 * the stage ports plus the artifact store and violet (#adapters/aws/aws-upload-deps.ts).
 */
import { buildUploadDeps } from '#adapters/aws/aws-upload-deps.ts';
import { consumerLambda } from '#adapters/aws/lambda-consumer.ts';
import { UPLOAD_PACKAGE_ROW } from '#usecases/rows/upload-package.ts';

export const handler = consumerLambda('upload-package', UPLOAD_PACKAGE_ROW, buildUploadDeps);
