/**
 * The consumer table: every queue, its message schema, the consumer that reads it, the queues
 * that consumer may send to, the resources it needs, its timeout class and how it is built. One
 * row per queue, read by everything that wires consumers:
 *
 * - the local runtime (shared/runtime/local-runtime.ts): one poller per row;
 * - the Lambda entries (functions/<name>/handler.ts): `consumerLambda(CONSUMERS.<name>, ...)`;
 * - the CDK stack (infra/stack.ts): per row a queue with its DLQ, a function, its event source,
 *   and exactly the environment and IAM grants that `sends` and `needs` call for;
 * - the test harness (test/fakes/pipeline.ts): the stages built from their rows over fakes.
 *
 * What a row declares (needs, timeout class) is defined in #usecases/consumer-row.ts. Every
 * runtime hands a consumer only what its row declares (`consumerDeps`, #usecases/consumer-deps.ts):
 * a queue that refuses sends to queues the row does not list, and only the needed ports. A wrong row fails
 * locally and in tests the way the missing grant would fail on AWS, and a factory that needs a
 * port its row does not declare does not compile. The table lives in the application layer
 * because its rows name use cases; it imports no adapter.
 *
 * Adding a queue (as the rollout's `{ batchId, reason, seq }` was): the message type and its
 * schema, the use case, a row here, and a ~10-line functions/<name>/handler.ts.
 */
import type * as z from 'zod';
import { STAGE_NAMES, type StageName } from '#domain/job.ts';
import { jobEventSchema } from '#domain/job-event.ts';
import { type DeliveryMessage, deliveryMessageSchema } from '#domain/webhooks/delivery.ts';
import type { RolloutMessage, StageMessage } from '#shared/ports.ts';
import { rolloutMessageSchema, stageMessageOn } from '#shared/queue-messages.ts';
import { makeCheckBackupStage } from '#usecases/check-backup.ts';
import { consumerDeps } from '#usecases/consumer-deps.ts';
import type { ConsumerRow, Needs, QueueName, RuntimePorts } from '#usecases/consumer-row.ts';
import { makeDeliverWebhook } from '#usecases/deliver-webhook.ts';
import { makeNotify } from '#usecases/notify.ts';
import { makePatchSubscriptionStage } from '#usecases/patch-subscription.ts';
import { makeRollout } from '#usecases/rollout.ts';
import { makeUploadPackageStage } from '#usecases/upload-package.ts';
import { makeValidateStage } from '#usecases/validate.ts';
import { makeVerifyStage } from '#usecases/verify.ts';

function stageRow<const N extends Needs>(
  name: StageName,
  row: Omit<ConsumerRow<StageMessage, N>, 'message' | 'logKeys'>,
): ConsumerRow<StageMessage, N> {
  return {
    message: stageMessageOn(name),
    logKeys: ({ jobId, stage, hop, seq }) => ({ jobId, stage, hop, seq }),
    ...row,
  };
}

export const CONSUMERS = {
  validate: stageRow('validate', {
    sends: ['validate', 'check-backup', 'notify'],
    needs: { catalog: true, kubeconfigs: true, pipeline: true, events: true, endpoints: 'read' },
    timeout: 'stage',
    make: makeValidateStage,
  }),
  'check-backup': stageRow('check-backup', {
    sends: ['check-backup', 'upload-package', 'notify'],
    needs: { kubeconfigs: true, pipeline: true, events: true, endpoints: 'read' },
    timeout: 'stage',
    make: makeCheckBackupStage,
  }),
  'upload-package': stageRow('upload-package', {
    sends: ['upload-package', 'patch-subscription', 'notify'],
    needs: {
      catalog: true,
      kubeconfigs: true,
      artifacts: 'readWrite',
      violet: true,
      pipeline: true,
      events: true,
      endpoints: 'read',
    },
    timeout: 'upload',
    gathersPushes: true,
    make: makeUploadPackageStage,
  }),
  'patch-subscription': stageRow('patch-subscription', {
    sends: ['patch-subscription', 'verify', 'notify'],
    needs: { catalog: true, kubeconfigs: true, pipeline: true, events: true, endpoints: 'read' },
    timeout: 'stage',
    make: makePatchSubscriptionStage,
  }),
  // A verified hop that is not the last goes back to upload for the next one.
  verify: stageRow('verify', {
    sends: ['verify', 'upload-package', 'notify'],
    needs: { kubeconfigs: true, pipeline: true, events: true, endpoints: 'read' },
    timeout: 'stage',
    make: makeVerifyStage,
  }),
  // The end of a batch's job wakes its rollout; one delivery message per receiver, so one slow
  // receiver never delays the others.
  notify: {
    message: jobEventSchema,
    sends: ['rollout', 'webhook-delivery'],
    needs: { events: true, webhookStore: true },
    timeout: 'stage',
    logKeys: ({ id, type, data }) => ({ eventId: id, type, jobId: data.jobId }),
    make: makeNotify,
  } satisfies ConsumerRow<z.output<typeof jobEventSchema>, { events: true; webhookStore: true }>,
  // Starts jobs as createUpgrade does (validate, its job events), cancels them (any stage), sets
  // its own timers, and fans the batch's events out to webhook receivers (one delivery message each).
  rollout: {
    message: rolloutMessageSchema,
    sends: [...STAGE_NAMES, 'notify', 'rollout', 'webhook-delivery'],
    needs: {
      catalog: true,
      kubeconfigs: true,
      pipeline: true,
      batches: true,
      webhookStore: true,
      events: true,
    },
    timeout: 'stage',
    logKeys: ({ batchId, reason, seq }) => ({ batchId, reason, seq }),
    make: makeRollout,
  } satisfies ConsumerRow<
    RolloutMessage,
    { catalog: true; kubeconfigs: true; pipeline: true; batches: true; webhookStore: true; events: true }
  >,
  // Retries are delayed messages on its own queue (beyond 15 minutes, chained by the SQS adapter).
  'webhook-delivery': {
    message: deliveryMessageSchema,
    sends: ['webhook-delivery'],
    needs: { webhookStore: true, webhookSigning: true },
    timeout: 'stage',
    logKeys: ({ deliveryId, attempt }) => ({ deliveryId, attempt }),
    make: makeDeliverWebhook,
  } satisfies ConsumerRow<DeliveryMessage, { webhookStore: true; webhookSigning: true }>,
} as const satisfies Record<QueueName, unknown>;

/**
 * The HTTP API is no queue consumer but sends and reads like one. Cancelling re-sends a job's
 * expected message to whichever stage the job is at, so it may send to every stage queue; a
 * batch's creation and commands wake its rollout; a rehearsal reads the clusters; a redelivery on
 * request sends a delivery's message.
 */
export const API = {
  sends: [...STAGE_NAMES, 'notify', 'rollout', 'webhook-delivery'],
  // kubeconfigs: a rehearsal and `GET /clusters?include=status` read each cluster's operator and instances.
  // events, endpoints: its job events (a job's creation, cancellation), through its notifier.
  needs: { catalog: true, kubeconfigs: true, batches: true, events: true, endpoints: 'read' },
} as const satisfies { sends: readonly QueueName[]; needs: Needs };

/** A row made into its handler over a runtime's ports, with the queue it may use. */
export function bindConsumer(name: QueueName, ports: RuntimePorts) {
  const row: ConsumerRow<object> = CONSUMERS[name];
  const deps = consumerDeps(name, row, ports);
  return { name, row, queue: deps.queue, handle: row.make(deps) };
}
