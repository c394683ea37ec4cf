/**
 * State-change events (docs/architecture.md §11 `{ type, id, occurredAt, data }`). Event ids are derived
 * from the job and the transition's position, so an event emitted again after a crash carries
 * the same id and receivers dedupe it.
 */
import { clusterFactsOf, type Job } from '#domain/job.ts';
import { type JobEvent, jobEventType } from '#domain/job-event.ts';
import type { Notifier } from '#shared/ports.ts';

function jobData(job: Job): Record<string, unknown> {
  const { fromVersion, plan } = clusterFactsOf(job);
  const hop = plan?.[job.hop];
  return {
    jobId: job.id,
    cluster: job.cluster,
    state: job.state,
    targetVersion: job.targetVersion,
    ...(fromVersion === undefined ? {} : { fromVersion }),
    ...(job.batchId === undefined ? {} : { batchId: job.batchId }),
    ...(plan ? { hop: job.hop, hops: plan.length } : {}),
    ...(hop ? { hopFrom: hop.from, hopTo: hop.to } : {}),
  };
}

/** The event of the job's creation (`upgrade.queued`). */
export function createdEvent(job: Job): JobEvent {
  return { id: `${job.id}:0`, type: jobEventType('queued'), occurredAt: job.createdAt, data: jobData(job) };
}

/** The event of the job's `index`-th transition (1-based; default: the latest). */
export function transitionEvent(job: Job, index = job.transitions.length): JobEvent | undefined {
  const transition = job.transitions[index - 1];
  if (!transition) return undefined;
  return {
    id: `${job.id}:${index}`,
    type: jobEventType(transition.to),
    occurredAt: transition.at,
    data: {
      ...jobData(job),
      state: transition.to,
      previousState: transition.from,
      ...(transition.reason === undefined ? {} : { reason: transition.reason }),
    },
  };
}

/** Emits the events of every transition `after` has beyond `before` (in order). */
export async function emitTransitions(
  notifier: Notifier,
  before: Job | undefined,
  after: Job,
): Promise<void> {
  const from = before?.transitions.length ?? 0;
  for (let index = from + 1; index <= after.transitions.length; index++) {
    const event = transitionEvent(after, index);
    if (event) await notifier.emit(event, after);
  }
}
