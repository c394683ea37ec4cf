/**
 * Lambda entry of the check-backup stage: SQS batches from its queue -> makeCheckBackupStage
 * (#usecases/check-backup.ts), given what its row (#usecases/rows/check-backup.ts) needs and may send to.
 */
import { buildClusterStageDeps } from '#adapters/aws/aws-cluster-stage-deps.ts';
import { consumerLambda } from '#adapters/aws/lambda-consumer.ts';
import { CHECK_BACKUP_ROW } from '#usecases/rows/check-backup.ts';

export const handler = consumerLambda('check-backup', CHECK_BACKUP_ROW, buildClusterStageDeps);
