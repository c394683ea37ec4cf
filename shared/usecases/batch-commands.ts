/**
 * An operator's command on a batch (`POST /batches/{id}/pause|resume|cancel|approve`): decided
 * with #domain/rollout/rollout-commands.ts (a command that cannot apply is a 409 and changes
 * nothing, a repeated one is a no-op), committed conditionally on the batch's version with its
 * events, then the rollout is woken to act on it (start jobs on resume or approval, cancel
 * running ones on cancel), exactly as it acts on any other decision.
 */
import { ConflictError, NotFoundError } from '#domain/errors.ts';
import type { Batch } from '#domain/rollout/batch.ts';
import { decide } from '#domain/rollout/decide.ts';
import type { BatchCommand } from '#domain/rollout/rollout-commands.ts';
import type { BatchStore, Clock, Log, Queue, RolloutQueues } from '#shared/ports.ts';

export interface BatchCommandDeps {
  batches: Pick<BatchStore, 'get' | 'update'>;
  queue: Queue<RolloutQueues>;
  clock: Clock;
  log?: Log;
}

/** Commits retried against concurrent rollout decisions before giving up with a 409. */
const MAX_ATTEMPTS = 5;

export async function commandBatch(
  deps: BatchCommandDeps,
  input: { batchId: string; command: BatchCommand },
): Promise<Batch> {
  const { batchId, command } = input;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const batch = await deps.batches.get(batchId);
    if (!batch) throw new NotFoundError(`batch ${batchId} not found`);
    const decision = decide(batch, deps.clock.now(), { command });
    if (decision.changed) {
      try {
        await deps.batches.update(decision.batch, batch.version, decision.events);
      } catch (error) {
        if (error instanceof ConflictError && error.code === 'STALE_VERSION') continue;
        throw error;
      }
    }
    // Sent after a no-op too: the first request may have committed and died before this send.
    await deps.queue.send('rollout', {
      batchId,
      reason: `${command.kind}${command.by ? ` by ${command.by}` : ''}`,
    });
    deps.log?.info('batch command', { batchId, command: command.kind, changed: decision.changed });
    return decision.batch;
  }
  throw new ConflictError(`batch ${batchId} kept changing while the ${command.kind} was applied; try again`);
}
