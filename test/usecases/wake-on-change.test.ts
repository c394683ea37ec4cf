import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { WakeCondition } from '#domain/wake-condition.ts';
import type { ClusterClient, WaitToWake } from '#shared/ports.ts';
import { FakeClock } from '#test/fakes/clock.ts';
import { RecordingLog } from '#test/fakes/log.ts';
import { makeWaker, WATCH_COOL_OFF_SECONDS } from '#usecases/wake-on-change.ts';

/** A cluster whose watches the test settles by hand, one per condition kind. */
class ScriptedWatches {
  readonly started: { condition: WakeCondition; signal: AbortSignal; settle: (error?: Error) => void }[] = [];

  watchUntil = (condition: WakeCondition, signal: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason));
      this.started.push({ condition, signal, settle: (error) => (error ? reject(error) : resolve()) });
    });
}

function setUp(maxWatches = 10, expediting: () => Promise<boolean> = async () => true) {
  const clock = new FakeClock();
  const watches = new ScriptedWatches();
  const expedited: [string, string][] = [];
  const log = new RecordingLog();
  const waker = makeWaker({
    clusters: { get: async (name) => (name === 'gone' ? undefined : { name, labels: {} }) },
    gateway: { forCluster: async () => ({ watchUntil: watches.watchUntil }) as unknown as ClusterClient },
    queue: {
      expedite: async (queue, messageId) => {
        expedited.push([queue, messageId]);
        return expediting();
      },
    },
    clock,
    log,
    maxWatches,
  });
  const wait = (jobId: string, messageId: string, cluster = 'prod-1'): WaitToWake => ({
    jobId,
    cluster,
    condition: { kind: 'csv-settled', csv: 'redis-operator.v4.0.3' },
    queue: 'verify',
    messageId,
    dueAt: new Date(clock.now().getTime() + 60_000),
  });
  return { waker, watches, expedited, log, clock, wait };
}

describe('waker', () => {
  it('delivers the waiting message early once the condition holds, and forgets the watch', async () => {
    // Prepare
    const { waker, watches, expedited, wait } = setUp();
    waker.wake(wait('job-1', 'message-1'));
    await sleep(0);
    // Act
    watches.started[0]?.settle();
    await sleep(0);
    // Assess
    expect(expedited).toEqual([['verify', 'message-1']]);
    expect(waker.active).toBe(0);
  });

  it("replaces a job's older watch with its newer wait's", async () => {
    // Prepare
    const { waker, watches, expedited, wait } = setUp();
    waker.wake(wait('job-1', 'message-1'));
    await sleep(0);
    // Act
    waker.wake(wait('job-1', 'message-2'));
    await sleep(0);
    watches.started[1]?.settle();
    await sleep(0);
    // Assess
    expect(watches.started[0]?.signal.aborted).toBe(true);
    expect(expedited).toEqual([['verify', 'message-2']]);
  });

  it('delivers the message at once when the watch fails, and polls that cluster for a while', async () => {
    // Prepare
    const { waker, watches, expedited, clock, wait } = setUp();
    waker.wake(wait('job-1', 'message-1'));
    await sleep(0);
    // Act
    watches.started[0]?.settle(new Error('connection reset'));
    await sleep(0);
    const afterFailure = [waker.canWatch('prod-1'), waker.canWatch('prod-2')];
    clock.advance(WATCH_COOL_OFF_SECONDS);
    // Assess
    expect(expedited).toEqual([['verify', 'message-1']]);
    expect(afterFailure).toEqual([false, true]);
    expect(waker.canWatch('prod-1')).toBe(true);
  });

  it('delivers the message at once when no watch can be had: budget spent, cluster gone', async () => {
    // Prepare
    const budget = setUp(1);
    const gone = setUp();
    budget.waker.wake(budget.wait('job-1', 'message-1'));
    // Act
    budget.waker.wake(budget.wait('job-2', 'message-2'));
    gone.waker.wake(gone.wait('job-3', 'message-3', 'gone'));
    await sleep(0);
    // Assess
    expect(budget.watches.started).toHaveLength(1);
    expect(budget.waker.canWatch('prod-2')).toBe(false);
    expect(budget.expedited).toEqual([['verify', 'message-2']]);
    expect(gone.expedited).toEqual([['verify', 'message-3']]);
    expect(gone.waker.canWatch('gone')).toBe(false);
  });

  it('logs, and leaves the wait to its safety net, when the early delivery itself fails', async () => {
    // Prepare: the queue is closed (a stopping runtime)
    const { waker, log, wait } = setUp(0, async () => {
      throw new Error('database is not open');
    });
    // Act
    waker.wake(wait('job-1', 'message-1'));
    await sleep(0);
    // Assess
    expect(log.lines.filter((line) => line.level === 'warn')).toMatchObject([
      { message: 'could not deliver a wait early', attributes: { jobId: 'job-1' } },
    ]);
  });

  it('leaves the message to its due time when the job waits again (a newer watch) or it falls due', async () => {
    // Prepare
    const { waker, watches, expedited, wait } = setUp();
    // Act
    waker.wake({ ...wait('job-1', 'message-1'), dueAt: new Date(0) });
    await sleep(5);
    // Assess
    expect(watches.started[0]?.signal.aborted).toBe(true);
    expect(expedited).toEqual([]);
    expect(waker.active).toBe(0);
  });

  it("ends a job's watch on release (a cancel, an end, a wait that polls) and delivers nothing", async () => {
    // Prepare
    const { waker, watches, expedited, wait } = setUp();
    waker.wake(wait('job-1', 'message-1'));
    waker.wake(wait('job-2', 'message-2'));
    await sleep(0);
    // Act
    waker.release('job-1');
    waker.release('job-3');
    await sleep(0);
    // Assess
    expect(watches.started.map((watch) => watch.signal.aborted)).toEqual([true, false]);
    expect(expedited).toEqual([]);
    expect(waker.active).toBe(1);
    expect(waker.canWatch('prod-1')).toBe(true);
  });

  it('ends every watch on close', async () => {
    // Prepare
    const { waker, watches, expedited, wait } = setUp();
    waker.wake(wait('job-1', 'message-1'));
    waker.wake(wait('job-2', 'message-2'));
    await sleep(0);
    // Act
    waker.close();
    await sleep(0);
    // Assess
    expect(watches.started.map((watch) => watch.signal.aborted)).toEqual([true, true]);
    expect(expedited).toEqual([]);
    expect(waker.active).toBe(0);
  });
});
