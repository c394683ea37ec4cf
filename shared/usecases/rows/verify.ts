/** The verify stage's row (#usecases/consumers.ts). */
import { makeVerifyStage } from '#usecases/verify.ts';
import { stageRow } from './stage-row.ts';

// A verified hop that is not the last goes back to upload for the next one.
export const VERIFY_ROW = stageRow('verify', {
  sends: ['verify', 'upload-package', 'notify', 'rollout'],
  needs: { kubeconfigs: true, pipeline: true, endpoints: 'read' },
  timeout: 'stage',
  make: makeVerifyStage,
});
