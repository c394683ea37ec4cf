/**
 * Claims for side effects that must not run twice (a package push; backups are named so that a
 * second create finds the first, #domain/pre-upgrade-backup.ts). Queues deliver at least once and
 * two copies of a message can run at the same time, so a step first commits a claim (a
 * conditional write: of two copies only one wins) and only then acts.
 *
 * A claim belongs to a live worker: it is a short lease (`claimLeaseSeconds`, by default about
 * one visibility timeout) that its holder renews while the effect runs, and a claim whose effect
 * runs in this very process is never taken over (see RUNNING_HERE). A copy that finds a live
 * lease defers until it ends. A worker that dies stops renewing, so by the time the queue
 * redelivers its message the lease has run out and the redelivery takes the claim over; the
 * step checks the cluster before it gets here, so an effect that did land is not repeated.
 *
 * Renewals and the final commit are made on the latest stored job and only while the claim is
 * still this holder's (`claimId`): a cancel request written meanwhile does not cost the holder
 * its claim, and a claim taken over after a stall stays with the worker that took it.
 */
import { randomUUID } from 'node:crypto';
import { errorMessage } from '#domain/errors.ts';
import type { ActiveJob, StepProgress } from '#domain/job.ts';
import { LostRace, type StepContext } from '#usecases/stage-step.ts';

export type ClaimResult = { status: 'done' } | { status: 'held'; retryInSeconds: number; holder: string };

export interface ClaimOptions {
  /** The effect is the hop's point of no return (#domain/job-cancel.ts); marked before it runs. */
  noReturn?: boolean;
  /** What the effect does, in words: the job's `waitingFor` while it runs. */
  doing: string;
}

/** Seconds until a claim's lease ends (<= 0: expired). Claims written before leases use claimedAt. */
export function leaseRemainingSeconds(step: StepProgress, now: Date, leaseSeconds: number): number {
  const until = step.leaseUntil
    ? Date.parse(step.leaseUntil)
    : Date.parse(step.claimedAt ?? '') + leaseSeconds * 1000;
  return Number.isNaN(until) ? 0 : (until - now.getTime()) / 1000;
}

function leaseUntil(now: Date, leaseSeconds: number): string {
  return new Date(now.getTime() + leaseSeconds * 1000).toISOString();
}

/**
 * Runs `effect` once for the current stage visit; what it returns is recorded with `doneAt`.
 * Returns `done` when the effect has run (now or before), `held` while another worker holds it.
 */
/**
 * Claims whose effects run in this process right now. A claim found here is alive whatever its
 * lease says: a worker starved of CPU may renew late, but it is not dead, and taking its claim
 * over would run the effect twice. Leases decide only for claims of other (or dead) processes.
 */
const RUNNING_HERE = new Set<string>();

export async function runClaimed(
  context: StepContext,
  effect: () => Promise<Partial<StepProgress> | undefined>,
  options: ClaimOptions,
): Promise<ClaimResult> {
  const step = context.job.step;
  const lease = context.config.claimLeaseSeconds;
  if (step?.doneAt) return { status: 'done' };
  if (step?.claimedAt) {
    const remaining = leaseRemainingSeconds(step, context.now, lease);
    if (remaining > 0 || (step.claimId !== undefined && RUNNING_HERE.has(step.claimId))) {
      return {
        status: 'held',
        retryInSeconds: Math.max(1, Math.ceil(remaining)),
        holder: step.waitingFor ?? options.doing,
      };
    }
    context.log.warn('taking over an expired claim', {
      claimedAt: step.claimedAt,
      leaseUntil: step.leaseUntil,
    });
  }
  const claimId = randomUUID();
  const at = context.now;
  await context.progress(
    {
      claimedAt: at.toISOString(),
      claimId,
      leaseUntil: leaseUntil(at, lease),
      waitingFor: `${options.doing} (started ${at.toISOString()})`,
    },
    options.noReturn ? { noReturn: true } : {},
  );
  const ours = (job: ActiveJob) => job.step?.claimId === claimId;
  const heartbeat = renewWhileRunning(context, ours, lease);
  let recorded: Partial<StepProgress> | undefined;
  RUNNING_HERE.add(claimId);
  try {
    recorded = await effect();
  } catch (error) {
    RUNNING_HERE.delete(claimId);
    await heartbeat.stop();
    await context.progressOnLatest(ours, () => ({
      claimedAt: undefined,
      claimId: undefined,
      leaseUntil: undefined,
    }));
    throw error;
  }
  RUNNING_HERE.delete(claimId);
  await heartbeat.stop();
  const committed = await context.progressOnLatest(ours, (now) => ({
    ...recorded,
    doneAt: now.toISOString(),
    leaseUntil: undefined,
  }));
  if (!committed) throw new LostRace('the claim was taken over, or the job moved on, while its effect ran');
  return { status: 'done' };
}

/**
 * Renews the lease every quarter of it until stopped (a renewal may come late on a busy machine
 * and still be in time); stop() waits for a renewal in flight.
 */
function renewWhileRunning(context: StepContext, ours: (job: ActiveJob) => boolean, lease: number) {
  let inFlight: Promise<unknown> = Promise.resolve();
  let lost = false;
  const renew = async () => {
    try {
      const renewed = await context.progressOnLatest(ours, (now) => ({ leaseUntil: leaseUntil(now, lease) }));
      if (!renewed && !lost) {
        lost = true;
        context.log.warn('claim lost while its effect runs: another worker took it over or the job moved on');
      }
    } catch (error) {
      // A store hiccup: the next tick tries again, well within the lease.
      context.log.warn('could not renew the claim lease', {
        error: errorMessage(error),
      });
    }
  };
  const timer = setInterval(
    () => {
      if (!lost) inFlight = inFlight.then(renew);
    },
    (lease * 1000) / 4,
  );
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await inFlight;
    },
  };
}
