/**
 * Notify (docs/architecture.md §11), one use case on both runtimes. The stages and the API emit a job event
 * by sending it to the notify queue (`queueNotifier`); the notify consumer (a local poller, the
 * notify Lambda) records it in the event log, which GET /upgrades/{id}/events reads, and counts
 * the jobs' outcomes. Queues deliver at least once: an event is recorded under its id, so a
 * redelivered one changes nothing (its outcome may be counted twice, a metric's usual error).
 *
 * A job of a batch that ends wakes its rollout: notify forwards its terminal event as a message
 * to the rollout queue, which is how a rollout learns of job ends without polling.
 *
 * Webhook delivery fans out from here: per event, one delivery message per receiver, sent with
 * delays to retry; the notify row of #usecases/consumers.ts then sends to its own queue too.
 */
import { isTerminal, type JobState } from '#domain/job.ts';
import type { JobEvent } from '#domain/job-event.ts';
import type { EventLog, Metrics, Notifier, Queue, RolloutQueues } from '#shared/ports.ts';

/** What notify's queue carries. */
export type NotifyQueues = { notify: JobEvent };

const OUTCOME_METRICS: Readonly<Record<string, string>> = {
  'upgrade.queued': 'JobsStarted',
  'upgrade.succeeded': 'JobsSucceeded',
  'upgrade.failed': 'JobsFailed',
  'upgrade.blocked': 'JobsBlocked',
  'upgrade.cancelled': 'JobsCancelled',
};

export interface NotifyDeps {
  events: Pick<EventLog, 'record'>;
  /** Where the end of a batch's job goes. */
  queue: Queue<RolloutQueues>;
  metrics?: Metrics;
}

export function makeNotify(deps: NotifyDeps): (event: JobEvent) => Promise<void> {
  return async (event) => {
    await deps.events.record(event);
    const { batchId, jobId, state } = event.data;
    if (typeof batchId === 'string' && isTerminal(state as JobState)) {
      await deps.queue.send('rollout', { batchId, reason: `job ${String(jobId)} ${String(state)}` });
    }
    const metric = OUTCOME_METRICS[event.type];
    if (metric) deps.metrics?.count(metric);
  };
}

/** The Notifier every producer uses: the event goes to the notify queue, nothing else. */
export function queueNotifier(queue: Queue<NotifyQueues>): Notifier {
  return { emit: (event) => queue.send('notify', event) };
}
