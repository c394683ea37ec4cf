/**
 * Cancelling an upgrade (POST /upgrades/{id}/cancel), with the rules of #domain/job-cancel.ts:
 * before the current hop's point of no return the job is cancelled at once; after it the request
 * is recorded and honoured when that hop has been verified.
 *
 * A recorded request bumps the version, which can make a stage that was mid-step lose its
 * commit (it acknowledges its message as a lost race). So after recording, the job's expected
 * message is sent again: the pipeline keeps moving, and any extra copy is dropped as stale.
 */
import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError } from '#domain/errors.ts';
import { isActiveJob, type Job } from '#domain/job.ts';
import { requestCancel } from '#domain/job-cancel.ts';
import { expectedMessage } from '#domain/job-messages.ts';
import type { Clock, JobStore, Log, Notifier, Queue, StageQueues } from '#shared/ports.ts';
import { emitLatestCommit, emitTransitions } from '#usecases/job-events.ts';

export interface CancelUpgradeDeps {
  jobs: Pick<JobStore, 'get' | 'update'>;
  /** Any stage's: the expected message goes to whichever stage the job is at. */
  queue: Queue<StageQueues>;
  clock: Clock;
  notifier: Notifier;
  log?: Log;
}

export interface CancelUpgradeInput {
  jobId: string;
  /** Why, in the requester's words; quoted in the job's reason. */
  note?: string;
}

/** Conditional writes retried against concurrent stage commits before giving up with a 409. */
const MAX_ATTEMPTS = 5;

async function resend(deps: CancelUpgradeDeps, job: Job): Promise<void> {
  if (isActiveJob(job)) await deps.queue.send(job.expected.stage, expectedMessage(job, randomUUID()));
}

/** Returns the job after the request: `cancelled`, or active with `cancelRequested`. */
export async function cancelUpgrade(deps: CancelUpgradeDeps, input: CancelUpgradeInput): Promise<Job> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const job = await deps.jobs.get(input.jobId);
    if (!job) throw new NotFoundError(`upgrade job ${input.jobId} not found`);
    // A retried cancel may follow a crash between the commit below and its emit: emit again (the
    // event keeps its id) before the request is refused as having nothing left to cancel.
    if (job.transitions.at(-1)?.to === 'cancelled') await emitLatestCommit(deps.notifier, job);
    const next = requestCancel(job, { at: deps.clock.now(), ...(input.note ? { note: input.note } : {}) });
    if (next === job) {
      await resend(deps, job);
      return job;
    }
    try {
      await deps.jobs.update(next, job.version);
    } catch (error) {
      if (error instanceof ConflictError) continue;
      throw error;
    }
    deps.log?.info('cancel requested', { jobId: job.id, cluster: job.cluster, state: next.state });
    if (next.state === 'cancelled') await emitTransitions(deps.notifier, job, next);
    else await resend(deps, next);
    return next;
  }
  throw new ConflictError(`upgrade job ${input.jobId} kept changing while being cancelled; try again`);
}
