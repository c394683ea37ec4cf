/**
 * Job events (docs/architecture.md §11): one when a job is created (`upgrade.queued`) and one for every state
 * it enters (`upgrade.<state>`). The set of types is closed, so whoever maps them onto webhook
 * event names or filters them handles every one of them.
 */
import * as z from 'zod';
import { JOB_STATES, type JobState } from '#domain/job.ts';

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
