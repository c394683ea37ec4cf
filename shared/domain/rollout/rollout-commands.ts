/**
 * The operator's commands on a batch (`POST /batches/{id}/pause|resume|cancel|approve`). A
 * command that has already taken effect is a no-op, so a retried request is harmless; one that
 * cannot apply is a ConflictError (409) that changes nothing.
 *
 * - pause: no new job starts (running ones finish; bakes and re-checks go on) until resume.
 * - resume: lifts a pause; a halted batch resumes only with `acceptFailures: true`, recorded,
 *   after which the failures named in the halt no longer count against the budget.
 * - cancel: clusters not started are cancelled, running jobs get a cancel request (they stop
 *   before their point of no return, or finish the hop they are in).
 * - approve: lets a wave that needs approval start; it may be given once every job of the wave
 *   before has ended (while that one bakes: the re-check still gates). Naming the wave makes a
 *   retried request safe.
 */
import * as z from 'zod';
import { ConflictError } from '#domain/errors.ts';
import { type Batch, FINAL_BATCH_STATES, runningJobs } from './batch.ts';
import type { EventDraft } from './batch-events.ts';
import { nameList, runningNote } from './reason-text.ts';

const note = z.string().trim().min(1).max(500).optional();
const ifVersion = z.number().int().min(1).optional();

/**
 * The bodies of `POST /batches/{id}/pause|resume|cancel|approve` (who issues the command comes
 * from the caller's identity, not the body). `wave` is the index the batch view shows.
 */
export const batchCommandBodies = {
  pause: z.strictObject({ note, ifVersion }),
  resume: z.strictObject({ note, ifVersion, acceptFailures: z.boolean().optional() }),
  cancel: z.strictObject({ note, ifVersion }),
  approve: z.strictObject({ note, ifVersion, wave: z.number().int().min(0).optional() }),
} as const;

interface CommandBase {
  /** Who, for the record. */
  by?: string;
  /** Why, in words, quoted in the event. */
  note?: string;
  /**
   * The batch version the operator looked at: the command is refused (409) if the batch has
   * changed since, so nobody accepts failures or approves a wave they have not seen.
   */
  ifVersion?: number;
}

export type BatchCommand =
  | (CommandBase & { kind: 'pause' })
  | (CommandBase & { kind: 'resume'; acceptFailures?: boolean })
  | (CommandBase & { kind: 'cancel' })
  | (CommandBase & { kind: 'approve'; wave?: number });

function isFinal(batch: Batch): boolean {
  return (FINAL_BATCH_STATES as readonly string[]).includes(batch.state);
}

const DONE: Record<BatchCommand['kind'], string> = {
  pause: 'paused',
  resume: 'resumed',
  cancel: 'cancelled',
  approve: 'approved',
};

function refuseIfFinal(batch: Batch, command: BatchCommand['kind']): void {
  if (!isFinal(batch)) return;
  throw new ConflictError(`batch ${batch.id} is ${batch.state}: it cannot be ${DONE[command]}`, {
    code: 'BATCH_FINISHED',
  });
}

const by = (command: BatchCommand) => (command.by ? ` by ${command.by}` : '');
const noted = (command: BatchCommand) => (command.note ? ` (${command.note})` : '');
const actor = (command: BatchCommand) => (command.by ? { by: command.by } : {});

function pause(batch: Batch, command: BatchCommand, at: string): EventDraft[] {
  refuseIfFinal(batch, 'pause');
  if (batch.pausedAt) return [];
  batch.pausedAt = at;
  if (command.by) batch.pausedBy = command.by;
  const reason = `paused${by(command)}${noted(command)}: no new job starts${runningNote(runningJobs(batch))}`;
  return [{ type: 'batch.paused', reason, ...actor(command) }];
}

function resume(batch: Batch, command: Extract<BatchCommand, { kind: 'resume' }>, at: string): EventDraft[] {
  refuseIfFinal(batch, 'resume');
  const { halt } = batch;
  if (halt && !command.acceptFailures) {
    throw new ConflictError(
      `batch ${batch.id} is halted (${halt.reason}); resume it with acceptFailures: true to accept ${nameList(halt.clusters)} and go on`,
      { code: 'HALTED', details: { failures: halt.clusters } },
    );
  }
  if (!halt && !batch.pausedAt) return [];
  let accepted = '';
  if (halt) {
    // Exactly the failures the halt names (it names every failure counted so far), each at the
    // attempt shown: a canary it names that has not failed (deferred as unreachable) is accepted
    // for that attempt only, so its retry's failure still counts.
    const { clusters } = halt;
    const named = new Set(clusters);
    const attempts = Object.fromEntries(
      batch.clusters
        .filter((cluster) => named.has(cluster.name))
        .map((cluster) => [cluster.name, cluster.attempt]),
    );
    batch.acceptances.push({ at, ...actor(command), clusters, attempts });
    accepted = `, accepting the failures of ${nameList(clusters)}`;
    delete batch.halt;
  }
  delete batch.pausedAt;
  delete batch.pausedBy;
  return [
    { type: 'batch.resumed', reason: `resumed${by(command)}${accepted}${noted(command)}`, ...actor(command) },
  ];
}

function cancel(batch: Batch, command: BatchCommand, at: string): EventDraft[] {
  if (batch.cancelledAt) return [];
  refuseIfFinal(batch, 'cancel');
  batch.cancelledAt = at;
  if (command.by) batch.cancelledBy = command.by;
  const requested: string[] = [];
  for (const cluster of batch.clusters) {
    if (cluster.state === 'started') {
      cluster.cancelRequested = true;
      requested.push(cluster.name);
    } else if (cluster.state === 'starting') {
      // Its start was decided and may have run before the rollout saw the job: the rollout's next
      // look at its jobs cancels that job, or finds none and ends the cluster (decide.ts). Ending it
      // here would show the batch finished while a job it started runs on.
      cluster.cancelRequested = true;
    } else if (['pending', 'deferred-unreachable'].includes(cluster.state)) {
      cluster.state = 'cancelled';
      cluster.reason = `batch cancelled${by(command)} before this cluster's job started`;
      cluster.finishedAt = at;
    } else if (cluster.state === 'upgraded') {
      // Its job succeeded; the re-check after the bake will not come.
      cluster.state = 'succeeded';
      cluster.reason = 'upgraded; not re-checked, the batch was cancelled before its bake ended';
    }
  }
  const running = requested.length > 0 ? `; cancel requested for ${nameList(requested)}` : '';
  return [
    {
      type: 'batch.cancelled',
      reason: `cancelled${by(command)}${noted(command)}${running}`,
      ...actor(command),
    },
  ];
}

/** The current wave, or the next one once every job of the current wave has ended (while it bakes). */
function approvableNow(batch: Batch, index: number): boolean {
  if (index === batch.currentWave) return true;
  return index === batch.currentWave + 1 && batch.waves[batch.currentWave]?.jobsDoneAt !== undefined;
}

function approve(
  batch: Batch,
  command: Extract<BatchCommand, { kind: 'approve' }>,
  at: string,
): EventDraft[] {
  refuseIfFinal(batch, 'approve');
  const index = command.wave ?? batch.currentWave;
  const wave = batch.waves[index];
  if (wave?.approvedAt) return [];
  if (!wave?.needsApproval || wave.startedAt || !approvableNow(batch, index)) {
    const awaiting = command.wave === undefined ? '' : ` wave ${command.wave}`;
    throw new ConflictError(
      `batch ${batch.id} is not awaiting approval${awaiting} (${batch.state}: ${batch.reason})`,
      {
        code: 'NOT_AWAITING_APPROVAL',
      },
    );
  }
  wave.approvedAt = at;
  if (command.by) wave.approvedBy = command.by;
  // Who let a wave go, and why, is the decision an audit asks for first.
  return [
    {
      type: 'wave.approved',
      reason: `${wave.label} approved${by(command)}${noted(command)}`,
      wave: index,
      ...actor(command),
    },
  ];
}

/** Applies a command to the draft; the events it records. */
export function applyCommand(batch: Batch, command: BatchCommand, now: Date): EventDraft[] {
  const at = now.toISOString();
  if (command.ifVersion !== undefined && command.ifVersion !== batch.version) {
    throw new ConflictError(
      `batch ${batch.id} changed since version ${command.ifVersion} (it is at version ${batch.version}: ${batch.state}, ${batch.reason}); look again and retry`,
      { code: 'BATCH_CHANGED' },
    );
  }
  switch (command.kind) {
    case 'pause':
      return pause(batch, command, at);
    case 'resume':
      return resume(batch, command, at);
    case 'cancel':
      return cancel(batch, command, at);
    case 'approve':
      return approve(batch, command, at);
  }
}
