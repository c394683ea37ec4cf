/**
 * Claims for side effects that must not run twice (a package push, creating backups). Queues
 * deliver at least once and two copies of a message can run at the same time, so a step first
 * commits a claim (a conditional write: of two copies only one wins) and only then acts. The
 * claim is a lease: a copy that finds a live claim defers; after `claimLeaseSeconds` the claimer
 * is presumed dead and a copy takes the claim over (and repeats the effect, which both effects
 * here tolerate). A failed effect releases its claim so the retry need not wait for the lease.
 */
import type { StepProgress } from '#domain/job.ts';
import type { StepContext } from '#usecases/stage-runner.ts';

export type ClaimResult = { status: 'done' } | { status: 'held'; retryInSeconds: number };

export interface ClaimOptions {
  /** The effect is the hop's point of no return (#domain/job-cancel.ts); marked before it runs. */
  noReturn?: boolean;
}

/**
 * Runs `effect` once for the current stage visit; what it returns is recorded with `doneAt`.
 * Returns `done` when the effect has run (now or before), `held` while another worker holds it.
 */
export async function runClaimed(
  context: StepContext,
  effect: () => Promise<Partial<StepProgress> | undefined>,
  options: ClaimOptions = {},
): Promise<ClaimResult> {
  const step = context.job.step;
  if (step?.doneAt) return { status: 'done' };
  if (step?.claimedAt) {
    const age = (context.now.getTime() - Date.parse(step.claimedAt)) / 1000;
    const remaining = Math.ceil(context.config.claimLeaseSeconds - age);
    if (remaining > 0) return { status: 'held', retryInSeconds: remaining };
    context.log.warn('taking over an expired claim', { claimedAt: step.claimedAt });
  }
  await context.progress({ claimedAt: context.now.toISOString() }, options);
  let recorded: Partial<StepProgress> | undefined;
  try {
    recorded = await effect();
  } catch (error) {
    await context.progress({ claimedAt: undefined });
    throw error;
  }
  await context.progress({ ...recorded, doneAt: context.now.toISOString() });
  return { status: 'done' };
}
