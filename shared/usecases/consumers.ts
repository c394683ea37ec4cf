/**
 * The consumer table: every queue, its message schema, the consumer that reads it, the queues
 * that consumer may send to, the resources it needs, its timeout class and how it is built. One
 * row per queue, read by everything that wires consumers:
 *
 * - the local runtime (shared/runtime/local-runtime.ts): one poller per row;
 * - the Lambda entries (functions/<name>/handler.ts): `consumerLambda(name, <its row>, ...)`, each
 *   importing its own row from #usecases/rows/ only, so a function's bundle holds its own use
 *   case and not every consumer's;
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
 * schema, the use case, its row in #usecases/rows/ and in the table here, and a ~10-line
 * functions/<name>/handler.ts.
 */
import { STAGE_NAMES } from '#domain/job.ts';
import { bindRow } from '#usecases/consumer-deps.ts';
import type { Needs, QueueName, RuntimePorts } from '#usecases/consumer-row.ts';
import { CHECK_BACKUP_ROW } from '#usecases/rows/check-backup.ts';
import { NOTIFY_ROW } from '#usecases/rows/notify.ts';
import { PATCH_SUBSCRIPTION_ROW } from '#usecases/rows/patch-subscription.ts';
import { ROLLOUT_ROW } from '#usecases/rows/rollout.ts';
import { UPLOAD_PACKAGE_ROW } from '#usecases/rows/upload-package.ts';
import { VALIDATE_ROW } from '#usecases/rows/validate.ts';
import { VERIFY_ROW } from '#usecases/rows/verify.ts';
import { WEBHOOK_DELIVERY_ROW } from '#usecases/rows/webhook-delivery.ts';

export const CONSUMERS = {
  validate: VALIDATE_ROW,
  'check-backup': CHECK_BACKUP_ROW,
  'upload-package': UPLOAD_PACKAGE_ROW,
  'patch-subscription': PATCH_SUBSCRIPTION_ROW,
  verify: VERIFY_ROW,
  notify: NOTIFY_ROW,
  rollout: ROLLOUT_ROW,
  'webhook-delivery': WEBHOOK_DELIVERY_ROW,
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
  // webhookStore: its job events (a job's creation, cancellation) ask the endpoints through its
  // notifier, and a redelivery on request rewrites a delivery.
  // pipeline: batch estimates and rehearsals, cluster forecasts and the rollouts a release starts
  // read the operator's timing and gate overrides, as the stages do.
  needs: { catalog: true, kubeconfigs: true, batches: true, webhookStore: true, pipeline: true },
} as const satisfies { sends: readonly QueueName[]; needs: Needs };

/** A row of the table made into its handler over a runtime's ports (bindRow). */
export function bindConsumer(name: QueueName, ports: RuntimePorts) {
  return bindRow(name, CONSUMERS[name], ports);
}
