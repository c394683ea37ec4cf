/** The patch-subscription stage's row (#usecases/consumers.ts). */
import { makePatchSubscriptionStage } from '#usecases/patch-subscription.ts';
import { stageRow } from './stage-row.ts';

export const PATCH_SUBSCRIPTION_ROW = stageRow('patch-subscription', {
  sends: ['patch-subscription', 'verify', 'notify', 'rollout'],
  needs: { catalog: true, kubeconfigs: true, pipeline: true, endpoints: 'read' },
  timeout: 'stage',
  make: makePatchSubscriptionStage,
});
