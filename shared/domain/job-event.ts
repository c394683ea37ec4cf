/**
 * Job events (docs/architecture.md §11): one when a job is created (`upgrade.queued`) and one for every state
 * it enters (`upgrade.<state>`). The set of types is closed, so whoever maps them onto webhook
 * event names or filters them handles every one of them.
 *
 * An event is a function of the job record (ADR 0008): its id is the job's and the transition's
 * position, its data what the job held right after that transition. What the data takes from the
 * job is fixed once set (cluster, target, batch, the installed version and plan validate
 * recorded) or kept by the transition itself (state, hop, reason), so the job as stored at any
 * later moment gives the same event as the job the emitter held: the job's history is its event
 * log, and an event whose send was lost in a crash is still listed.
 */
import * as z from 'zod';
import { clusterFactsOf, JOB_STATES, type Job, type JobState, UNPLANNED_STATES } from '#domain/job.ts';

export type JobEventType = `upgrade.${JobState}`;

export function jobEventType(state: JobState): JobEventType {
  return `upgrade.${state}`;
}

export const JOB_EVENT_TYPES: readonly JobEventType[] = JOB_STATES.map(jobEventType);

export const jobEventSchema = z.object({
  id: z.string().min(1).describe('Stable per job and transition: receivers dedupe on it.'),
  type: z
    .enum(JOB_EVENT_TYPES)
    .describe('`upgrade.<state>`: the job was created (queued) or entered that state.'),
  occurredAt: z.iso.datetime(),
  data: z.record(z.string(), z.unknown()),
});
export interface JobEvent extends z.infer<typeof jobEventSchema> {}

/** Before validate plans, a job has no installed version or plan to tell. */
const isUnplanned = (state: JobState) => (UNPLANNED_STATES as readonly JobState[]).includes(state);

function jobData(job: Job, state: JobState, hop: number): Record<string, unknown> {
  const { fromVersion, plan } = isUnplanned(state) ? {} : clusterFactsOf(job);
  const current = plan?.[hop];
  return {
    jobId: job.id,
    cluster: job.cluster,
    state,
    targetVersion: job.targetVersion,
    ...(fromVersion === undefined ? {} : { fromVersion }),
    ...(job.batchId === undefined ? {} : { batchId: job.batchId }),
    ...(plan ? { hop, hops: plan.length } : {}),
    ...(current ? { hopFrom: current.from, hopTo: current.to } : {}),
  };
}

/** The event of the job's creation (`upgrade.queued`). */
export function createdEvent(job: Job): JobEvent {
  return {
    id: `${job.id}:0`,
    type: jobEventType('queued'),
    occurredAt: job.createdAt,
    data: jobData(job, 'queued', 0),
  };
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
      ...jobData(job, transition.to, transition.hop),
      previousState: transition.from,
      ...(transition.reason === undefined ? {} : { reason: transition.reason }),
    },
  };
}

/** Every event of the job, oldest first: its creation, then each state it entered. */
export function jobEvents(job: Job): JobEvent[] {
  return [createdEvent(job), ...job.transitions.flatMap((_, i) => transitionEvent(job, i + 1) ?? [])];
}
