/**
 * Notify (docs/architecture.md §11), one use case on both runtimes. The stages and the API emit a job
 * event through their notifier (#usecases/notifier.ts), which sends it to the notify queue only
 * when it has receivers to fan it out to (the event itself is the job's history, which
 * GET /upgrades/{id}/events lists: #domain/job-event.ts). The notify consumer (a local poller,
 * the notify Lambda) counts the job's outcome and fans the event out to webhook receivers (#usecases/webhook-fan-out.ts): one delivery message per receiver on
 * the webhook-delivery queue. Queues deliver at least once: a delivery's id derives from the
 * event's, so a redelivered event changes nothing (its outcome may be counted twice, a metric's
 * usual error).
 */
import type { JobEvent } from '#domain/job-event.ts';
import type { WebhookEvent } from '#domain/webhooks/webhook-event.ts';
import { jobView } from '#shared/http/job-view.ts';
import type { JobStore, Metrics, Queue } from '#shared/ports.ts';
import { type DeliveryQueues, type FanOutDeps, fanOut } from './webhook-fan-out.ts';

/** What notify's queue carries. */
export type NotifyQueues = { notify: JobEvent };

const OUTCOME_METRICS: Readonly<Record<string, string>> = {
  'upgrade.queued': 'JobsStarted',
  'upgrade.succeeded': 'JobsSucceeded',
  'upgrade.failed': 'JobsFailed',
  'upgrade.blocked': 'JobsBlocked',
  'upgrade.cancelled': 'JobsCancelled',
};

/** Counts the job outcome `event` stands for, if any: by notify, or by the notifier when it sends no message. */
export function countOutcome(metrics: Metrics | undefined, event: JobEvent): void {
  const metric = OUTCOME_METRICS[event.type];
  if (metric) metrics?.count(metric);
}

export interface NotifyDeps extends FanOutDeps {
  /** Where deliveries go. */
  queue: Queue<DeliveryQueues>;
  jobs: Pick<JobStore, 'get'>;
  metrics?: Metrics;
}

/**
 * A job event as receivers get it: the event's own fields (the state it is about), and the job's
 * view as read now (`data.job`, possibly a state or two ahead of the event), with its callbackUrl.
 */
async function jobWebhookEvent(
  deps: NotifyDeps,
  event: JobEvent,
): Promise<{ event: WebhookEvent; callbackUrl?: string }> {
  const jobId = event.data.jobId;
  const job = typeof jobId === 'string' ? await deps.jobs.get(jobId) : undefined;
  return {
    event: {
      id: event.id,
      type: event.type,
      timestamp: event.occurredAt,
      data: { ...event.data, ...(job ? { job: jobView(job) } : {}) },
    },
    ...(job?.callbackUrl ? { callbackUrl: job.callbackUrl } : {}),
  };
}

export function makeNotify(deps: NotifyDeps): (event: JobEvent) => Promise<void> {
  return async (event) => {
    const { event: outgoing, callbackUrl } = await jobWebhookEvent(deps, event);
    await fanOut(deps, outgoing, callbackUrl);
    countOutcome(deps.metrics, event);
  };
}
