/**
 * Lambda entry of the check-backup stage: SQS batches from its queue -> makeCheckBackupStage
 * (#usecases/check-backup.ts), given what its row in #usecases/consumers.ts needs and may send to.
 */
import { buildStageDeps } from '#adapters/aws/aws-stage-deps.ts';
import { consumerLambda } from '#adapters/aws/lambda-consumer.ts';

export const handler = consumerLambda('check-backup', buildStageDeps);
