/**
 * The context one invocation of the stage runner (#usecases/stage-runner.ts) gives its step, and
 * the job writes of that invocation. Every write is conditional on the version this invocation
 * last stored (`write` tracks it), so a write that loses to another writer throws LostRace.
 */
import { ConflictError, NotFoundError } from '#domain/errors.ts';
import type { ActiveJob, Job } from '#domain/job.ts';
import { recordProgress } from '#domain/job-progress.ts';
import type { Clock, ClusterGateway, ClusterRegistry, JobStore, Log, StageMessage } from '#shared/ports.ts';
import type { PipelineConfig } from '#usecases/pipeline-config.ts';
import { type ClusterAccess, LostRace, type StepContext } from '#usecases/stage-step.ts';

/** Re-reads before a progress write on the latest job gives up; other writers are rare and brief. */
const PROGRESS_ATTEMPTS = 5;

export interface StepContextDeps {
  jobs: JobStore;
  clusters: ClusterRegistry;
  gateway: ClusterGateway;
  clock: Clock;
}

/** Writes `next` if the stored job is still at `expectedVersion`; LostRace if it is not. */
export async function commit<T extends Job>(jobs: JobStore, next: T, expectedVersion: number): Promise<T> {
  try {
    await jobs.update(next, expectedVersion);
    return next;
  } catch (error) {
    if (error instanceof ConflictError) throw new LostRace(error.message);
    throw error;
  }
}

async function cluster(deps: StepContextDeps, job: Job): Promise<ClusterAccess> {
  const record = await deps.clusters.get(job.cluster);
  if (!record) throw new NotFoundError(`cluster ${job.cluster} is no longer registered`);
  return { record, client: await deps.gateway.forCluster(record) };
}

export interface StepInvocation<J extends ActiveJob> {
  /** The step's context; its `job` is the job as last committed (or entered) by this invocation. */
  context: StepContext<J>;
  /** Commits `next` on the version this invocation last stored. */
  write<T extends J | Job>(next: T): Promise<T>;
}

export interface InvocationStart<J extends ActiveJob> {
  /** May be ahead of the stored job: a state entered in memory is committed by the first write. */
  job: J;
  storedVersion: number;
  /** Whether a re-read job is still one this stage works on. */
  fits(job: Job): job is J;
  message: StageMessage;
  now: Date;
  config: PipelineConfig;
  log: Log;
}

export function makeStepContext<J extends ActiveJob>(
  deps: StepContextDeps,
  start: InvocationStart<J>,
): StepInvocation<J> {
  let job = start.job;
  let stored = start.storedVersion;
  const write = async <T extends J | Job>(next: T): Promise<T> => {
    const written = await commit(deps.jobs, next, stored);
    stored = written.version;
    return written;
  };
  const context: StepContext<J> = {
    get job() {
      return job;
    },
    message: start.message,
    now: start.now,
    config: start.config,
    log: start.log,
    cluster: () => cluster(deps, job),
    progress: async (patch, options = {}) => {
      job = await write(recordProgress(job, patch, { at: deps.clock.now(), ...options }));
    },
    progressOnLatest: async (still, patch) => {
      // It re-reads the stored job: the state entered in memory goes first.
      if (job.version !== stored) job = await write(job);
      for (let attempt = 0; attempt < PROGRESS_ATTEMPTS; attempt++) {
        const latest = await deps.jobs.get(job.id);
        if (!latest || !start.fits(latest) || !still(latest)) return false;
        const at = deps.clock.now();
        try {
          stored = latest.version;
          job = await write(recordProgress(latest, patch(at), { at }));
          return true;
        } catch (error) {
          if (!(error instanceof LostRace)) throw error;
        }
      }
      throw new LostRace(`job ${job.id} kept changing while recording progress`);
    },
  };
  return { context, write };
}
