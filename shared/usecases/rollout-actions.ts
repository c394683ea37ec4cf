/**
 * Carrying out what a rollout decision asked for (#domain/rollout/decide.ts), after its commit:
 * jobs started through the same createUpgrade as `POST /upgrades` under the decision's
 * idempotency key (so a repeated decision starts nothing twice), running jobs cancelled through
 * the job cancel, upgraded clusters re-checked. What came of it (starts refused, re-checks) is
 * the feedback the next decision folds in. Timers are the caller's (#usecases/rollout.ts).
 */
import { ConflictError, NotFoundError, type UpgraderError, ValidationError } from '#domain/errors.ts';
import type { Batch } from '#domain/rollout/batch.ts';
import type { RolloutAction } from '#domain/rollout/decide.ts';
import type { RecheckReport, StartRefusal } from '#domain/rollout/rollout-reports.ts';
import type { Log } from '#shared/ports.ts';
import { type CancelUpgradeDeps, cancelUpgrade } from '#usecases/cancel-upgrade.ts';
import { type CreateUpgradeDeps, createUpgrade } from '#usecases/create-upgrade.ts';
import { type RecheckDeps, recheckCluster } from '#usecases/recheck-cluster.ts';

export type RolloutActionDeps = CreateUpgradeDeps & CancelUpgradeDeps & RecheckDeps & { log?: Log };

export interface Feedback {
  refusals: StartRefusal[];
  rechecks: RecheckReport[];
}

/** Starts, cancels and re-checks run this many at a time. */
const PARALLEL = 16;

async function inChunks<T>(items: readonly T[], run: (item: T) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += PARALLEL) {
    await Promise.all(items.slice(start, start + PARALLEL).map(run));
  }
}

type Start = Extract<RolloutAction, { kind: 'start-job' }>;

async function start(
  deps: RolloutActionDeps,
  batch: Batch,
  action: Start,
): Promise<StartRefusal | undefined> {
  try {
    await createUpgrade(deps, {
      cluster: action.cluster,
      targetVersion: batch.targetVersion,
      ...(batch.options ? { options: batch.options } : {}),
      batchId: batch.id,
      idempotencyKey: action.idempotencyKey,
      ...(action.expectedWaits ? { expectedWaits: action.expectedWaits } : {}),
    });
    return undefined;
  } catch (error) {
    // Refusals of the request itself; anything else (a store or queue failing) is retried by redelivery.
    if (
      !(error instanceof NotFoundError || error instanceof ConflictError || error instanceof ValidationError)
    )
      throw error;
    const busy = error instanceof ConflictError && error.code === 'ACTIVE_JOB_EXISTS';
    return {
      cluster: action.cluster,
      attempt: action.attempt,
      reason: error.message,
      ...(busy ? { busy } : {}),
    };
  }
}

async function cancel(deps: RolloutActionDeps, batch: Batch, jobId: string): Promise<void> {
  try {
    await cancelUpgrade(deps, { jobId, note: `batch ${batch.id} was cancelled` });
  } catch (error) {
    // The job ended meanwhile (or is gone): nothing left to cancel; its end reaches the batch as a report.
    if (!(error instanceof ConflictError || error instanceof NotFoundError)) throw error;
    deps.log?.info('job not cancelled', {
      batchId: batch.id,
      jobId,
      reason: (error as UpgraderError).message,
    });
  }
}

export async function performActions(
  deps: RolloutActionDeps,
  batch: Batch,
  actions: readonly RolloutAction[],
  options: { now: Date; recheckDeadlineSeconds: number },
): Promise<Feedback> {
  const feedback: Feedback = { refusals: [], rechecks: [] };
  const starts = actions.filter((action): action is Start => action.kind === 'start-job');
  await inChunks(starts, async (action) => {
    const refusal = await start(deps, batch, action);
    if (refusal) feedback.refusals.push(refusal);
  });
  const cancels = actions.flatMap((action) => (action.kind === 'cancel-job' ? [action.jobId] : []));
  await inChunks(cancels, (jobId) => cancel(deps, batch, jobId));
  const due = new Set(actions.flatMap((action) => (action.kind === 'recheck' ? action.clusters : [])));
  const rechecked = batch.clusters.filter((cluster) => due.has(cluster.name));
  const deadlineSeconds = options.recheckDeadlineSeconds;
  await inChunks(rechecked, async (cluster) => {
    const report = await recheckCluster(deps, batch, cluster, { now: options.now, deadlineSeconds });
    if (report) feedback.rechecks.push(report);
  });
  return feedback;
}
