/**
 * The Notifier every producer of job events uses, the stages and the API alike (docs/architecture.md
 * §11). It sends the event to the notify queue only when the notify consumer (#usecases/notify.ts)
 * has work with it: a batch's rollout to wake (the job's end), the job's callback URL, or an
 * endpoint that subscribes to the event's type. Most events of a hop have none of these, so they
 * cost nothing: the event is already in the job's history, which the job's commit wrote
 * (#domain/job-event.ts). The outcome metric of an event sent nowhere is counted here, of one
 * sent by notify, once either way.
 *
 * Crash safety is the queue's: a crash between a job's commit and its send is mended when the
 * stage's message is redelivered and the stage runner emits the latest state change again.
 * An endpoint registered after an event was emitted does not receive it.
 */
import type { JobEvent } from '#domain/job-event.ts';
import type { JobEventContext, Metrics, Notifier, Queue } from '#shared/ports.ts';
import type { WebhookEndpointStore } from '#shared/webhook-ports.ts';
import { countOutcome, type NotifyQueues, rolloutWake } from './notify.ts';
import { receivingEndpoints } from './webhook-fan-out.ts';

export interface NotifierDeps {
  /** Read only: whether any endpoint receives the event. */
  webhookEndpoints: Pick<WebhookEndpointStore, 'list'>;
  queue: Queue<NotifyQueues>;
  metrics?: Metrics;
}

/** Whether notify has work with `event`: the cheap questions first, the endpoint list last. */
async function wantsNotify(deps: NotifierDeps, event: JobEvent, job: JobEventContext): Promise<boolean> {
  if (rolloutWake(event) || job.callbackUrl) return true;
  return receivingEndpoints(await deps.webhookEndpoints.list(), event.type).length > 0;
}

export function makeNotifier(deps: NotifierDeps): Notifier {
  return {
    emit: async (event, job) => {
      if (await wantsNotify(deps, event, job)) await deps.queue.send('notify', event);
      else countOutcome(deps.metrics, event);
    },
  };
}
