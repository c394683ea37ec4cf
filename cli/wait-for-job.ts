/**
 * Follows a job or a batch over the API until it ends. A runtime restarting under us (the API
 * briefly unreachable or answering 503) is ridden out for a while, since the work survives it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from '#cli/api-client.ts';
import { TransientError, UpgraderError } from '#domain/errors.ts';
import { TERMINAL_STATES, type TerminalState } from '#domain/job.ts';
import type { JobView } from '#shared/http/api-replies.ts';
import type { BatchViewReply } from '#shared/http/batch-replies.ts';

export interface WaitOptions<T> {
  intervalMs: number;
  onUpdate?: (view: T) => void;
  /** Consecutive failed polls tolerated before giving up (default 30). */
  toleratedFailures?: number;
}

export function isTerminal(state: string): state is TerminalState {
  return (TERMINAL_STATES as readonly string[]).includes(state);
}

function retryable(error: unknown): boolean {
  return (
    error instanceof TransientError || (error instanceof UpgraderError && error.code === 'API_UNREACHABLE')
  );
}

/** Reads until `done` says so, reporting every read; transient failures are retried. */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (view: T) => boolean,
  options: WaitOptions<T>,
): Promise<T> {
  const tolerated = options.toleratedFailures ?? 30;
  let failures = 0;
  for (;;) {
    try {
      const view = await read();
      failures = 0;
      options.onUpdate?.(view);
      if (done(view)) return view;
    } catch (error) {
      failures += 1;
      if (!retryable(error) || failures > tolerated) throw error;
    }
    await sleep(options.intervalMs);
  }
}

export function waitForJob(client: ApiClient, id: string, options: WaitOptions<JobView>): Promise<JobView> {
  return pollUntil(
    () => client.getUpgrade(id),
    (job) => isTerminal(job.state),
    options,
  );
}

/**
 * A batch needs nobody's attention and will change no more: over (succeeded, completed with
 * failures, cancelled), or halted with its last running jobs ended (it then waits on a person).
 */
export function batchSettled(batch: Pick<BatchViewReply, 'finishedAt' | 'state' | 'counts'>): boolean {
  if (batch.finishedAt) return true;
  return batch.state === 'halted' && batch.counts.starting + batch.counts.started === 0;
}

export function waitForBatch(
  client: ApiClient,
  id: string,
  options: WaitOptions<BatchViewReply>,
): Promise<BatchViewReply> {
  return pollUntil(() => client.getBatch(id), batchSettled, options);
}
