/**
 * Waits that wake on change (docs/decisions/0002-polling-and-watches.md): when a stage commits a
 * wait that names what would end it (#domain/wake-condition.ts), a runtime that can hold
 * connections watches that one object and, once the condition holds, makes the wait's delayed
 * message receivable at once. No message is sent and nothing is written: the stage looks at the
 * cluster again and decides, as it would have at the poll. A watch that fails, never fires, or
 * is over the budget changes nothing but the timing; the delayed message is the safety net.
 *
 * One watch per job: a newer wait of the job replaces the older one's, and a watch ends when its
 * message falls due anyway, or once the job no longer waits on it (`release`): a stage commit
 * that wakes on nothing, or the job's end however it came (a cancel over the API or by its batch
 * is no stage commit: releasingEndedJobs). Else a cancelled batch would hold its jobs' watch
 * slots and connections until their safety nets. A watch that cannot be had (budget spent, a
 * cluster that cannot watch, a failed watch) delivers the message at once instead, and the
 * cluster's waits poll for a while: the stage delayed that message to its safety net counting on
 * the watch.
 */
import { errorMessage } from '#domain/errors.ts';
import { isActiveJob } from '#domain/job.ts';
import { describeWakeCondition } from '#domain/wake-condition.ts';
import type {
  Clock,
  ClusterGateway,
  ClusterRegistry,
  Expediter,
  JobStore,
  Log,
  WaitToWake,
  Waker,
} from '#shared/ports.ts';

export interface WakerDeps {
  clusters: Pick<ClusterRegistry, 'get'>;
  gateway: ClusterGateway;
  queue: Expediter;
  clock: Clock;
  log: Log;
  /** Watches open at once; a wait beyond it polls (each watch holds a connection). */
  maxWatches: number;
}

export interface RunningWaker extends Waker {
  /** Watches open now. */
  readonly active: number;
  /** Ends every watch (a stopping runtime). */
  close(): void;
}

/** How long a cluster whose watch failed (or that cannot watch) has its waits polled instead. */
export const WATCH_COOL_OFF_SECONDS = 600;

export function makeWaker(deps: WakerDeps): RunningWaker {
  const watches = new Map<string, AbortController>();
  /** Clusters whose watches failed, until when their waits poll. */
  const coolingOff = new Map<string, number>();

  async function watch(wait: WaitToWake, signal: AbortSignal): Promise<void> {
    const record = await deps.clusters.get(wait.cluster);
    const client = record && (await deps.gateway.forCluster(record));
    if (!client?.watchUntil) throw new Error(`cluster ${wait.cluster} offers no watches`);
    await client.watchUntil(wait.condition, signal);
    if (signal.aborted) return;
    const woke = await deps.queue.expedite(wait.queue, wait.messageId);
    // Debug: the stage logs what it then finds, a line a wake would only repeat.
    if (woke)
      deps.log.debug('woke a waiting job', { jobId: wait.jobId, on: describeWakeCondition(wait.condition) });
  }

  /**
   * The wait's message was delayed to the safety net on the strength of a watch that will not
   * come: deliver it now, so the stage looks and, its cluster cooling off, polls as usual.
   */
  async function fallBackToPolling(wait: WaitToWake, why: string): Promise<void> {
    deps.log.info('no watch for a wait: it polls', { jobId: wait.jobId, cluster: wait.cluster, why });
    try {
      await deps.queue.expedite(wait.queue, wait.messageId);
    } catch (error) {
      // The wait still has its safety net; a stopping runtime's queue may be closed already.
      deps.log.warn('could not deliver a wait early', { jobId: wait.jobId, error: String(error) });
    }
  }

  function canWatch(cluster: string): boolean {
    const until = coolingOff.get(cluster);
    if (until !== undefined && until <= deps.clock.now().getTime()) coolingOff.delete(cluster);
    return watches.size < deps.maxWatches && !coolingOff.has(cluster);
  }

  /** Ends the job's watch: a newer wait replaces it, or its job no longer waits on one. */
  function release(jobId: string): void {
    watches.get(jobId)?.abort();
    watches.delete(jobId);
  }

  return {
    get active() {
      return watches.size;
    },
    canWatch,
    wake(wait) {
      release(wait.jobId);
      if (!canWatch(wait.cluster)) {
        const why = coolingOff.has(wait.cluster)
          ? `cluster ${wait.cluster} had a watch fail lately`
          : `the watch budget of ${deps.maxWatches} is spent`;
        void fallBackToPolling(wait, why);
        return;
      }
      const controller = new AbortController();
      watches.set(wait.jobId, controller);
      const untilDue = Math.max(0, wait.dueAt.getTime() - deps.clock.now().getTime());
      const timer = setTimeout(() => controller.abort(), untilDue);
      timer.unref();
      watch(wait, controller.signal)
        .catch(async (error: unknown) => {
          if (controller.signal.aborted) return;
          coolingOff.set(wait.cluster, deps.clock.now().getTime() + WATCH_COOL_OFF_SECONDS * 1000);
          await fallBackToPolling(wait, errorMessage(error));
        })
        .finally(() => {
          clearTimeout(timer);
          if (watches.get(wait.jobId) === controller) watches.delete(wait.jobId);
        });
    },
    release,
    close() {
      for (const controller of watches.values()) controller.abort();
      watches.clear();
    },
  };
}

/** `jobs`, whose writes of an ended job end its watch, whatever ended it (a stage, a cancel, a batch). */
export function releasingEndedJobs(jobs: JobStore, waker: Pick<Waker, 'release'>): JobStore {
  return {
    create: (job, idempotency) => jobs.create(job, idempotency),
    get: (id) => jobs.get(id),
    list: (filter) => jobs.list(filter),
    async update(job, expectedVersion) {
      await jobs.update(job, expectedVersion);
      if (!isActiveJob(job)) waker.release(job.id);
    },
  };
}
