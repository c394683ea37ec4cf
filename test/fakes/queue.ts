import type { StageName } from '#domain/job.ts';
import type { Queue, SendOptions, StageMessage } from '#shared/ports.ts';
import type { FakeClock } from '#test/fakes/clock.ts';

export interface QueuedMessage {
  queue: string;
  message: StageMessage;
  delaySeconds: number;
  /** Clock time (ms) from which the message may be delivered. */
  visibleAt: number;
}

export type StageHandlers = Partial<Record<StageName, (message: StageMessage) => Promise<void>>>;

export interface DrainOptions {
  /** Deliver every message twice in a row (an at-least-once queue's duplicate). */
  duplicate?: boolean;
  /** Stop after this many deliveries (a pipeline that never settles fails the test instead of hanging). */
  maxDeliveries?: number;
  /** Called after each delivery, e.g. to let a fake operator make progress. */
  afterDelivery?: (delivered: QueuedMessage) => void | Promise<void>;
}

/** Queues whose messages go straight to a consumer instead of waiting for a drain. */
export type Sinks = Record<string, (message: never) => Promise<void>>;

/**
 * Stage queues on a fake clock: records every send with its delay, and delivers messages in the
 * order they become visible, moving the clock forward to the next delayed one when needed.
 * Messages for a sink queue (notify, say) go to the sink at once and are not recorded here.
 */
export class FakeQueue implements Queue {
  /** Every message ever sent, in order. */
  readonly sent: QueuedMessage[] = [];
  private pending: QueuedMessage[] = [];
  private failures: Error[] = [];

  private readonly clock: FakeClock;
  private readonly sinks: Sinks;

  constructor(clock: FakeClock, sinks: Sinks = {}) {
    this.clock = clock;
    this.sinks = sinks;
  }

  async send(queue: string, message: object, options: SendOptions = {}): Promise<void> {
    const sink = this.sinks[queue];
    if (sink) return sink(structuredClone(message) as never);
    const failure = this.failures.shift();
    if (failure) throw failure;
    const delaySeconds = options.delaySeconds ?? 0;
    const queued = {
      queue,
      message: structuredClone(message) as StageMessage,
      delaySeconds,
      visibleAt: this.clock.now().getTime() + delaySeconds * 1000,
    };
    this.sent.push(queued);
    this.pending.push(queued);
  }

  /** The next send throws `error` (once). */
  failNextSend(error: Error): void {
    this.failures.push(error);
  }

  get size(): number {
    return this.pending.length;
  }

  /** Messages not yet delivered. */
  peek(): QueuedMessage[] {
    return [...this.pending];
  }

  /** Takes the next message, advancing the clock to its visibility when it is delayed. */
  take(): QueuedMessage | undefined {
    if (this.pending.length === 0) return undefined;
    const next = this.pending.reduce((a, b) => (b.visibleAt < a.visibleAt ? b : a));
    this.pending = this.pending.filter((queued) => queued !== next);
    if (next.visibleAt > this.clock.now().getTime()) this.clock.set(new Date(next.visibleAt));
    return next;
  }

  /** Delivers messages to their stage handlers until the queue is empty; returns the delivery count. */
  async drain(handlers: StageHandlers, options: DrainOptions = {}): Promise<number> {
    const max = options.maxDeliveries ?? 10_000;
    let deliveries = 0;
    for (let queued = this.take(); queued; queued = this.take()) {
      const handler = handlers[queued.queue as StageName];
      if (!handler) throw new Error(`no handler for the ${queued.queue} queue`);
      for (let copy = 0; copy < (options.duplicate ? 2 : 1); copy++) {
        if (++deliveries > max) throw new Error(`queue did not settle within ${max} deliveries`);
        await handler(structuredClone(queued.message));
      }
      await options.afterDelivery?.(queued);
    }
    return deliveries;
  }
}
