import type { Catalog } from '#domain/catalog.ts';
import type {
  ActiveJob,
  ActiveState,
  FinishedJob,
  Job,
  JobOptions,
  PlannedJob,
  PlannedState,
  StageSeconds,
  TerminalState,
  UnplannedJob,
  UnplannedState,
} from '#domain/job.ts';
import { newJob, transition } from '#domain/job-transitions.ts';
import { planUpgrade } from '#domain/planner.ts';
import type { InstanceRef } from '#domain/redis-instance.ts';

/**
 * A stored job with every field of every shape readable (undefined where its shape has none),
 * for tests that assert on a job whatever state it reached.
 */
export type AnyJob = Job &
  Partial<Omit<UnplannedJob, 'state'> & Omit<PlannedJob, 'state'> & Omit<FinishedJob, 'state'>>;

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
  /** The instances validate found (none by default). */
  instances?: InstanceRef[];
  /** What the earlier jobs of its rollout took per stage. */
  expectedWaits?: StageSeconds;
}

const PATH: ActiveState[] = ['validating', 'checking-backup', 'uploading', 'patching', 'verifying'];

/**
 * A job brought to `state` (on `hop`) through the real transitions, as the stages would have
 * left it: planned from `from` to `to` (validate having found no instances), with the expected
 * message of that state.
 */
export function jobAt(state: UnplannedState, input: JobAtOptions): UnplannedJob;
export function jobAt(state: PlannedState, input: JobAtOptions): PlannedJob;
export function jobAt(state: ActiveState, input: JobAtOptions): ActiveJob;
export function jobAt(state: ActiveState, input: JobAtOptions): ActiveJob {
  let job: ActiveJob = newJob({
    id: input.id ?? `job-${input.cluster}`,
    cluster: input.cluster,
    targetVersion: input.to,
    at: input.at,
    ...(input.options ? { options: input.options } : {}),
    ...(input.expectedWaits ? { expectedWaits: input.expectedWaits } : {}),
  });
  if (state === 'queued') return job;
  const plan = planUpgrade(
    input.catalog,
    input.from,
    input.to,
    input.platform ? { platform: input.platform } : {},
  );
  const facts = { fromVersion: input.from, plan: plan.hops, instances: input.instances ?? [] };
  const hop = input.hop ?? 0;
  for (const next of PATH) {
    job = transition(job, next, { at: input.at, ...(next === 'checking-backup' ? { facts } : {}) });
    if (next === state && job.hop === hop) return job;
    if (next === 'verifying') return advanceHops(job, state, hop, input.at);
  }
  return job;
}

function advanceHops(start: ActiveJob, state: ActiveState, hop: number, at: Date): ActiveJob {
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

/** The job moved on to validating, as validate's first act does. */
export function started(job: Job, at = new Date(job.updatedAt)): UnplannedJob {
  return transition(job, 'validating', { at });
}

/** The job ended in `state` through the real transitions (a queued job through validating). */
export function ended(job: Job, state: TerminalState, at = new Date(job.updatedAt)): FinishedJob {
  const from =
    job.state === 'queued' && (state === 'succeeded' || state === 'blocked') ? started(job, at) : job;
  return transition(from, state, { at, reason: `ended ${state}` });
}
