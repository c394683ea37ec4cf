/**
 * The Notifier every producer of job events uses, the stages and the API alike (docs/architecture.md
 * §11). The end of a batch's job wakes its rollout: the notifier sends the wake to the rollout
 * queue itself. It sends the event to the notify queue only when the notify consumer
 * (#usecases/notify.ts) has receivers for it: the job's callback URL, or an endpoint that
 * subscribes to the event's type. Most events of a hop have none of these, so they cost nothing:
 * the event is already in the job's history, which the job's commit wrote (#domain/job-event.ts).
 * The outcome metric of an event not sent to notify is counted here, of one sent, by notify: once
 * either way.
 *
 * Crash safety is the queue's: the stage runner emits a commit's events before it sends the next
 * message, so a crash between the commit and the emit is mended when the stage's message is
 * redelivered and the runner emits that commit's events again (the API emits before it sends
 * validate's message, and again for a retried create or cancel). An event emitted twice keeps its
 * id. An endpoint registered after an event was emitted does not receive it.
 */
import { isTerminal, type JobState } from '#domain/job.ts';
import type { JobEvent } from '#domain/job-event.ts';
import type {
  JobEventContext,
  Metrics,
  Notifier,
  Queue,
  RolloutMessage,
  RolloutQueues,
} from '#shared/ports.ts';
import type { WebhookEndpointStore } from '#shared/webhook-ports.ts';
import { countOutcome, type NotifyQueues } from './notify.ts';
import { receivingEndpoints } from './webhook-fan-out.ts';

/** The rollout message a batch's job's end sends (undefined for any other event). */
export function rolloutWake(event: JobEvent): RolloutMessage | undefined {
  const { batchId, jobId, state } = event.data;
  if (typeof batchId !== 'string' || !isTerminal(state as JobState)) return undefined;
  return {
    batchId,
    reason: `job ${String(jobId)} ${String(state)}`,
    ...(typeof jobId === 'string' ? { jobId } : {}),
  };
}

export interface NotifierDeps {
  /** Read only: whether any endpoint receives the event. */
  webhookEndpoints: Pick<WebhookEndpointStore, 'list'>;
  queue: Queue<NotifyQueues & RolloutQueues>;
  metrics?: Metrics;
}

/** Whether `event` has receivers: the callback URL first, the endpoint list last. */
async function hasReceivers(deps: NotifierDeps, event: JobEvent, job: JobEventContext): Promise<boolean> {
  if (job.callbackUrl) return true;
  return receivingEndpoints(await deps.webhookEndpoints.list(), event.type).length > 0;
}

export function makeNotifier(deps: NotifierDeps): Notifier {
  return {
    emit: async (event, job) => {
      const wake = rolloutWake(event);
      if (wake) await deps.queue.send('rollout', wake);
      if (await hasReceivers(deps, event, job)) await deps.queue.send('notify', event);
      else countOutcome(deps.metrics, event);
    },
  };
}
