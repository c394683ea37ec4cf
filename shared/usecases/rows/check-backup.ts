/** The check-backup stage's row (#usecases/consumers.ts). */
import { makeCheckBackupStage } from '#usecases/check-backup.ts';
import { stageRow } from './stage-row.ts';

export const CHECK_BACKUP_ROW = stageRow('check-backup', {
  sends: ['check-backup', 'upload-package', 'notify', 'rollout'],
  needs: { kubeconfigs: true, pipeline: true, endpoints: 'read' },
  timeout: 'stage',
  make: makeCheckBackupStage,
});
