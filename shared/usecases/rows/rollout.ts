/** The rollout consumer's row (#usecases/consumers.ts). */
import { STAGE_NAMES } from '#domain/job.ts';
import type { RolloutMessage } from '#shared/ports.ts';
import { rolloutMessageSchema } from '#shared/queue-messages.ts';
import type { ConsumerRow } from '#usecases/consumer-row.ts';
import { makeRollout } from '#usecases/rollout.ts';

// Starts jobs as createUpgrade does (validate, its job events), cancels them (any stage), sets
// its own timers, and fans the batch's events out to webhook receivers (one delivery message each).
export const ROLLOUT_ROW = {
  message: rolloutMessageSchema,
  sends: [...STAGE_NAMES, 'notify', 'rollout', 'webhook-delivery'],
  needs: {
    catalog: true,
    kubeconfigs: true,
    pipeline: true,
    batches: true,
    webhookStore: true,
  },
  timeout: 'stage',
  gathersWakes: true,
  logKeys: ({ batchId, reason, seq }) => ({ batchId, reason, seq }),
  make: makeRollout,
} satisfies ConsumerRow<
  RolloutMessage,
  { catalog: true; kubeconfigs: true; pipeline: true; batches: true; webhookStore: true }
>;
