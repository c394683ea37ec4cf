/** The validate stage's row (#usecases/consumers.ts). */
import { makeValidateStage } from '#usecases/validate.ts';
import { stageRow } from './stage-row.ts';

export const VALIDATE_ROW = stageRow('validate', {
  sends: ['validate', 'check-backup', 'notify', 'rollout'],
  needs: { catalog: true, kubeconfigs: true, pipeline: true, endpoints: 'read' },
  timeout: 'stage',
  make: makeValidateStage,
});
