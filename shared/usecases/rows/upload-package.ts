/** The upload-package stage's row (#usecases/consumers.ts). */
import { makeUploadPackageStage } from '#usecases/upload-package.ts';
import { stageRow } from './stage-row.ts';

export const UPLOAD_PACKAGE_ROW = stageRow('upload-package', {
  sends: ['upload-package', 'patch-subscription', 'notify', 'rollout'],
  needs: {
    catalog: true,
    kubeconfigs: true,
    artifacts: 'readWrite',
    violet: true,
    pipeline: true,
    endpoints: 'read',
  },
  timeout: 'upload',
  gathersPushes: true,
  make: makeUploadPackageStage,
});
