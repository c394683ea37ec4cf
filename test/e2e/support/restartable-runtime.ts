/**
 * A local runtime that a test can stop and start again over the same data dir while batches run,
 * with requests that ride over the restart (they wait for the next runtime instead of failing),
 * and bounded waits that say what they waited for.
 */
import type { Job } from '#domain/job.ts';
import type { BatchViewReply } from '#shared/http/batch-replies.ts';
import type { Clock } from '#shared/ports.ts';
import type { E2eFleet } from './e2e-fleet.ts';
import { type ApiResponse, type E2eRuntime, type E2eRuntimeOptions, startE2eRuntime } from './e2e-runtime.ts';

export interface RestartableRuntime {
  /** The runtime up now (between restarts: the one being started). */
  current(): Promise<E2eRuntime>;
  request(method: string, path: string, body?: unknown): Promise<ApiResponse>;
  batch(id: string): Promise<BatchViewReply>;
  /** Every job of the batch (store reads, not a page of the API). */
  jobsOf(batchId: string): Promise<Job[]>;
  /** Stops the runtime and starts another on the same data dir. */
  restart(): Promise<void>;
  restarts(): number;
  /** Messages sent twice, over every runtime so far. */
  duplicatedMessages(): number;
  stop(): Promise<void>;
}

/** A clock `offsetMs` ahead of the system's; the offset may be set before anything runs. */
export class OffsetClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

export async function startRestartable(
  fleet: E2eFleet,
  options: E2eRuntimeOptions,
): Promise<RestartableRuntime> {
  const first = await startE2eRuntime(fleet, options);
  const dataDir = first.dataDir;
  let ready: Promise<E2eRuntime> = Promise.resolve(first);
  let restarts = 0;
  let duplicatedBefore = 0;
  let latest = first;

  async function request(method: string, path: string, body?: unknown): Promise<ApiResponse> {
    for (let attempt = 1; ; attempt++) {
      const runtime = await ready;
      try {
        return await runtime.request(method, path, body);
      } catch (error) {
        // The runtime was stopped under the request: ask the next one (bounded: a restart is quick).
        if (attempt >= 50) throw error;
        await new Promise((wake) => setTimeout(wake, 50));
      }
    }
  }

  return {
    current: () => ready,
    request,
    async batch(id) {
      const { status, body } = await request('GET', `/batches/${id}`);
      if (status !== 200) throw new Error(`GET /batches/${id}: ${status} ${JSON.stringify(body)}`);
      return body as BatchViewReply;
    },
    async jobsOf(batchId) {
      const runtime = await ready;
      return runtime.runtime.jobs.list({ batchId, limit: 1000 });
    },
    async restart() {
      const stopping = latest;
      ready = (async () => {
        await stopping.stop();
        duplicatedBefore += stopping.duplicatedMessages();
        latest = await startE2eRuntime(fleet, { ...options, dataDir });
        restarts += 1;
        return latest;
      })();
      await ready;
    },
    restarts: () => restarts,
    duplicatedMessages: () => duplicatedBefore + latest.duplicatedMessages(),
    stop: async () => (await ready).stop(),
  };
}

/** Polls `probe` until `done` holds; past `timeoutMs` fails naming `what` and the last value seen. */
export async function until<T>(
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
  describe: (value: T) => string = (value) => JSON.stringify(value).slice(0, 2000),
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}; last seen: ${describe(value)}`);
    await new Promise((wake) => setTimeout(wake, 50));
  }
}
