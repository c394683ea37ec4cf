import type { Catalog } from '#domain/catalog.ts';
import type { ActiveState, Job, JobOptions } from '#domain/job.ts';
import { newJob, transition } from '#domain/job-transitions.ts';
import { planUpgrade } from '#domain/planner.ts';

export interface JobAtOptions {
  catalog: Catalog;
  cluster: string;
  from: string;
  to: string;
  platform?: string;
  hop?: number;
  options?: JobOptions;
  at: Date;
  id?: string;
}

const PATH: ActiveState[] = ['validating', 'checking-backup', 'uploading', 'patching', 'verifying'];

/**
 * A job brought to `state` (on `hop`) through the real transitions, as the stages would have
 * left it: planned from `from` to `to`, with the expected message of that state.
 */
export function jobAt(state: ActiveState, input: JobAtOptions): Job {
  let job = newJob({
    id: input.id ?? `job-${input.cluster}`,
    cluster: input.cluster,
    targetVersion: input.to,
    at: input.at,
    ...(input.options ? { options: input.options } : {}),
  });
  if (state === 'queued') return job;
  const plan = planUpgrade(
    input.catalog,
    input.from,
    input.to,
    input.platform ? { platform: input.platform } : {},
  );
  const hop = input.hop ?? 0;
  for (const next of PATH) {
    if (next === 'checking-backup') job = { ...job, fromVersion: input.from, plan: plan.hops };
    job = transition(job, next, { at: input.at });
    if (next === state && job.hop === hop) return job;
    if (next === 'verifying') return advanceHops(job, state, hop, input.at);
  }
  return job;
}

function advanceHops(start: Job, state: ActiveState, hop: number, at: Date): Job {
  let job = start;
  while (job.hop < hop) {
    job = transition(job, 'uploading', { at, hop: job.hop + 1 });
    if (job.hop === hop && state === 'uploading') return job;
    job = transition(job, 'patching', { at });
    if (job.hop === hop && state === 'patching') return job;
    job = transition(job, 'verifying', { at });
  }
  return job;
}
