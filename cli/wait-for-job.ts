/**
 * Follows a job over the API until it ends. A runtime restarting under us (the API briefly
 * unreachable or answering 503) is ridden out for a while, since the job itself survives it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from '#cli/api-client.ts';
import { TransientError, UpgraderError } from '#domain/errors.ts';
import { TERMINAL_STATES, type TerminalState } from '#domain/job.ts';
import type { JobView } from '#shared/http/api-replies.ts';

export interface WaitOptions {
  intervalMs: number;
  onUpdate?: (job: JobView) => void;
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

export async function waitForJob(client: ApiClient, id: string, options: WaitOptions): Promise<JobView> {
  const tolerated = options.toleratedFailures ?? 30;
  let failures = 0;
  for (;;) {
    try {
      const job = await client.getUpgrade(id);
      failures = 0;
      options.onUpdate?.(job);
      if (isTerminal(job.state)) return job;
    } catch (error) {
      failures += 1;
      if (!retryable(error) || failures > tolerated) throw error;
    }
    await sleep(options.intervalMs);
  }
}
