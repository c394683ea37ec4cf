/**
 * What the fleet bench counts while a run goes (bench/fleet-run.ts): wrappers around the local
 * runtime's stores and queue, each costing the run next to nothing; billing happens after the clock.
 */
import type { SqliteQueue } from '#adapters/local/sqlite-queue.ts';
import { isActiveJob } from '#domain/job.ts';
import type { Batch } from '#domain/rollout/batch.ts';
import type { BatchStore, JobStore } from '#shared/ports.ts';
import type { JobWriteCounts } from './cost-model.ts';

/**
 * Counts the job store's writes from now on, by what DynamoDB bills differently (cost-model.ts):
 * a create is a transaction with the cluster's lock, an end a put and the lock's delete, an active
 * job's write is a put.
 * Tried writes, failed ones too. Versions would not do: a commit may carry two transitions.
 */
export function countWrites(store: JobStore): JobWriteCounts {
  const counts: JobWriteCounts = {
    creates: 0,
    keyedCreates: 0,
    activeWrites: 0,
    stateChanges: 0,
    ends: 0,
    inBatch: 0,
  };
  const states = new Map<string, string>();
  const { create, update } = store;
  store.create = (job, idempotency) => {
    counts.creates++;
    if (idempotency) counts.keyedCreates++;
    if (job.batchId) counts.inBatch++;
    states.set(job.id, job.state);
    return create.call(store, job, idempotency);
  };
  store.update = (job, expectedVersion) => {
    if (!isActiveJob(job)) counts.ends++;
    else {
      counts.activeWrites++;
      if (states.get(job.id) !== job.state) counts.stateChanges++;
    }
    states.set(job.id, job.state);
    return update.call(store, job, expectedVersion);
  };
  return counts;
}

/** Keeps each write of a rollout's batch, to bill after the clock stops (compressing it takes a while). */
export function keepBatchWrites(store: BatchStore): { batch: Batch; events: number }[] {
  const writes: { batch: Batch; events: number }[] = [];
  const { create, update } = store;
  store.create = (batch, idempotency) => {
    writes.push({ batch, events: 0 });
    return create.call(store, batch, idempotency);
  };
  store.update = (batch, expectedVersion, events = []) => {
    writes.push({ batch, events: events.length });
    return update.call(store, batch, expectedVersion, events);
  };
  return writes;
}

/** Counts the batches the local pollers took, as Lambda's event source would invoke with them. */
export function countBatches(queues: SqliteQueue): Record<string, number> {
  const batches: Record<string, number> = {};
  const { receive } = queues;
  queues.receive = (queue, options) => {
    const received = receive.call(queues, queue, options);
    if (received.length > 0) batches[queue] = (batches[queue] ?? 0) + 1;
    return received;
  };
  return batches;
}

/** Log lines and their bytes, as the runtime's loggers wrote them. */
export interface LogCounts {
  lines: number;
  bytes: number;
}

/**
 * Counts the JSON lines the upgrader's loggers (Powertools, service redis-upgrader) write to
 * stdout and stderr from now on, and keeps them off the terminal; anything else passes through.
 * `stop()` puts the streams back.
 */
export function countLogLines(service: string): { counts: LogCounts; stop(): void } {
  const counts: LogCounts = { lines: 0, bytes: 0 };
  const marker = `"service":${JSON.stringify(service)}`;
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write);
  streams.forEach((stream, i) => {
    const write = writes[i] as typeof stream.write;
    stream.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const lines = text.split('\n').filter((line) => line.startsWith('{'));
      // Matched as serialised rather than parsed: the counting must not cost the run measurable CPU.
      const ours = lines.filter((line) => line.includes(marker));
      if (ours.length === 0 || ours.length !== lines.length) return write.call(stream, chunk, ...rest);
      counts.lines += ours.length;
      counts.bytes += ours.reduce((sum, line) => sum + Buffer.byteLength(line), 0);
      const callback = rest.find((arg): arg is never => typeof arg === 'function') as
        | (() => void)
        | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
  });
  return {
    counts,
    stop: () => {
      streams.forEach((stream, i) => {
        stream.write = writes[i] as typeof stream.write;
      });
    },
  };
}
