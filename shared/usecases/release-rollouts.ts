/**
 * What a release does to rollouts, once the catalog took it (#usecases/receive-release.ts):
 *
 * - A registered version starts a batch for every rollout policy whose range admits it
 *   (#domain/rollout/rollout-policy.ts), through the batch API's own use case (createBatch), so
 *   it is checked, planned and woken as `POST /batches` would be. Its Idempotency-Key derives
 *   from the version and the policy, not the webhook-id: a sender retrying a release that failed
 *   half way, or sending the same version again under a new id, finds the batch it already
 *   started (for the key's 24 hours) instead of starting a second rollout of that version; a
 *   version withdrawn and released again finds its paused batch, which an operator resumes.
 *   A policy that cannot start (no cluster matches, clusters busy) is reported, not an error:
 *   the catalog already changed and the other policies' batches stand.
 * - A withdrawn version pauses every unfinished batch that targets it (the operator's pause:
 *   no new job starts) and stops each of its jobs that has not passed the point of no return of
 *   its hop (#domain/job-cancel.ts: the InstallPlan approval, or the push on an Automatic
 *   subscription), as a cancel does, with a conditional write, so a job racing past that point
 *   is left to finish its hop. Its jobs are those of the clusters the paused batch runs or is
 *   about to (#usecases/batch-job-reports.ts), however many. Jobs starting after the pause meet
 *   the blocked version in validate.
 */
import semver from 'semver';
import type { Catalog } from '#domain/catalog.ts';
import { ConflictError, NotFoundError, ValidationError } from '#domain/errors.ts';
import { isActiveJob, isTerminal } from '#domain/job.ts';
import { cancelNow, isCancellable } from '#domain/job-cancel.ts';
import { BATCH_STATES, type Batch, FINAL_BATCH_STATES } from '#domain/rollout/batch.ts';
import { policiesFor, policyBatchRequest, type RolloutPolicy } from '#domain/rollout/rollout-policy.ts';
import type { JobStore, Notifier, Queue, StageQueues } from '#shared/ports.ts';
import { type BatchCommandDeps, commandBatch } from '#usecases/batch-commands.ts';
import { gatherJobReports } from '#usecases/batch-job-reports.ts';
import { type CreateBatchDeps, createBatch } from '#usecases/create-batch.ts';
import { emitTransitions } from '#usecases/job-events.ts';

export interface ReleaseRolloutDeps
  extends Omit<CreateBatchDeps, 'catalog'>,
    Omit<BatchCommandDeps, 'batches'> {
  policies: readonly RolloutPolicy[];
  jobs: Pick<JobStore, 'get' | 'update' | 'list'>;
  notifier: Notifier;
  queue: Queue<StageQueues> & CreateBatchDeps['queue'];
}

export type PolicyRollout =
  | { policy: string; batchId: string; clusters: number; created: boolean }
  | { policy: string; refused: string };

export interface WithdrawnRollout {
  batchId: string;
  /** Jobs stopped before their point of no return. */
  stopped: string[];
  /** Jobs past it, left to finish their hop. */
  finishing: string[];
}

/** Batches listed per state at most (the store's page limit). */
const LIST_LIMIT = 1000;
const BY = 'release webhook';

export async function startPolicyRollouts(
  deps: ReleaseRolloutDeps,
  input: { catalog: Catalog; version: string; startDelaySeconds?: number },
): Promise<PolicyRollout[]> {
  const started: PolicyRollout[] = [];
  for (const policy of policiesFor(deps.policies, input.version)) {
    try {
      const result = await createBatch(
        { ...deps, catalog: input.catalog },
        {
          request: policyBatchRequest(policy, input.version),
          idempotencyKey: `release:${input.version}:${policy.name}`,
          ...(input.startDelaySeconds ? { startDelaySeconds: input.startDelaySeconds } : {}),
        },
      );
      if (result.dryRun) continue;
      const { batch, created } = result;
      started.push({ policy: policy.name, batchId: batch.id, clusters: batch.clusters.length, created });
    } catch (error) {
      // Refusals a request can get (400/404/409) are the policy's outcome; anything else is ours.
      if (!isRefusal(error)) throw error;
      deps.log?.warn('a rollout policy did not start', { policy: policy.name, reason: error.message });
      started.push({ policy: policy.name, refused: error.message });
    }
  }
  return started;
}

function isRefusal(error: unknown): error is Error {
  return error instanceof ValidationError || error instanceof NotFoundError || error instanceof ConflictError;
}

export async function haltWithdrawnRollouts(
  deps: ReleaseRolloutDeps,
  input: { version: string; reason: string },
): Promise<WithdrawnRollout[]> {
  const open = BATCH_STATES.filter((state) => !(FINAL_BATCH_STATES as readonly string[]).includes(state));
  const lists = await Promise.all(open.map((state) => deps.batches.list({ state, limit: LIST_LIMIT })));
  const targeting = lists.flat().filter((batch) => semver.eq(batch.targetVersion, input.version));
  const note = `version ${input.version} withdrawn: ${input.reason}`;
  const halted: WithdrawnRollout[] = [];
  for (const batch of targeting) {
    let paused: Batch;
    try {
      paused = await commandBatch(deps, { batchId: batch.id, command: { kind: 'pause', by: BY, note } });
    } catch (error) {
      // It finished meanwhile: nothing left to pause, and its jobs have ended. Any other error
      // fails the release, and the sender's retry (its id not yet remembered) does it again.
      if (error instanceof ConflictError && error.code === 'BATCH_FINISHED') continue;
      throw error;
    }
    const outcome: WithdrawnRollout = { batchId: batch.id, stopped: [], finishing: [] };
    // The jobs of the clusters the paused batch runs, each read as the rollout reads them: one
    // list of the batch's jobs stops at the store's page limit, and the rest would go on.
    for (const { jobId, state } of await gatherJobReports(deps.jobs, paused)) {
      if (isTerminal(state)) continue;
      ((await stopBeforeNoReturn(deps, jobId, note)) ? outcome.stopped : outcome.finishing).push(jobId);
    }
    deps.log?.info('rollout of a withdrawn version paused', { ...outcome, version: input.version });
    halted.push(outcome);
  }
  return halted;
}

/** Cancels the job if it has not passed its hop's point of no return; false when it has (or ended). */
async function stopBeforeNoReturn(deps: ReleaseRolloutDeps, jobId: string, note: string): Promise<boolean> {
  for (;;) {
    const job = await deps.jobs.get(jobId);
    if (!job || !isActiveJob(job)) return false;
    if (!isCancellable(job)) return false;
    const next = cancelNow(job, { at: deps.clock.now(), note });
    try {
      await deps.jobs.update(next, job.version);
    } catch (error) {
      // The job moved (maybe past its point of no return): decide again on what it is now.
      if (error instanceof ConflictError) continue;
      throw error;
    }
    await emitTransitions(deps.notifier, job, next);
    return true;
  }
}
