/**
 * The local stand-in for a Lambda SQS event source mapping: up to `concurrency` batches of one
 * queue in flight, each delivered to the handler as an `SQSEvent` and settled exactly as Lambda
 * does with ReportBatchItemFailures. Idle workers sleep until the next message is due, the poll
 * interval, or a send on this process, whichever is first. `stop()` lets in-flight batches finish.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { ReceivedMessage, SqliteQueue } from '#adapters/local/sqlite-queue.ts';
import type { Log } from '#shared/ports.ts';
import { settleBatch, toSqsEvent } from './sqs-event.ts';

export type SqsBatchHandler = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

export interface QueuePollerOptions {
  queue: SqliteQueue;
  queueName: string;
  handler: SqsBatchHandler;
  batchSize: number;
  visibilityTimeoutSeconds: number;
  concurrency: number;
  pollIntervalMs: number;
  /** How long a batch short of `batchSize` waits for more messages (Lambda's maximumBatchingWindow); 0: none. */
  batchingWindowMs?: number;
  logger: Log;
}

export class QueuePoller {
  readonly #options: QueuePollerOptions;
  readonly #wakers = new Set<() => void>();
  #workers: Promise<void>[] = [];
  #running = false;
  #unsubscribe: (() => void) | undefined;

  constructor(options: QueuePollerOptions) {
    this.#options = options;
  }

  get running(): boolean {
    return this.#running;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    // One idle worker per message sent: waking them all made every send cost a receive per worker.
    this.#unsubscribe = this.#options.queue.onSend((queue) => {
      if (queue === this.#options.queueName) this.#wakeOne();
    });
    this.#workers = Array.from({ length: this.#options.concurrency }, () => this.#work());
  }

  /** Stops receiving and resolves once every batch already delivered has been settled. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#unsubscribe?.();
    this.#wakeAll();
    await Promise.all(this.#workers);
    this.#workers = [];
  }

  async #work(): Promise<void> {
    const { queue, queueName, batchSize, visibilityTimeoutSeconds } = this.#options;
    while (this.#running) {
      let delivered = false;
      try {
        const messages = queue.receive(queueName, { maxMessages: batchSize, visibilityTimeoutSeconds });
        if (messages.length > 0) {
          await this.#fill(messages);
          delivered = true;
          await this.#deliver(toSqsEvent(queueName, messages));
        }
      } catch (error) {
        // A locked or failing database must not kill the worker; the next poll retries.
        this.#options.logger.error('queue poll failed', { queue: queueName, error: error as Error });
      }
      if (!delivered) await this.#idle();
    }
  }

  /** Adds messages that come within the batching window, until the batch is full or the window closes. */
  async #fill(messages: ReceivedMessage[]): Promise<void> {
    const { queue, queueName, batchSize, visibilityTimeoutSeconds, batchingWindowMs = 0 } = this.#options;
    const closes = Date.now() + batchingWindowMs;
    while (this.#running && messages.length < batchSize && Date.now() < closes) {
      await this.#idle(closes - Date.now());
      const more = batchSize - messages.length;
      messages.push(...queue.receive(queueName, { maxMessages: more, visibilityTimeoutSeconds }));
    }
  }

  async #deliver(event: SQSEvent): Promise<void> {
    const { queue, queueName, handler, logger } = this.#options;
    let response: unknown;
    try {
      response = await handler(event);
    } catch (error) {
      logger.error('the consumer failed the whole batch', {
        queue: queueName,
        messages: event.Records.length,
        error: error as Error,
      });
      return;
    }
    const settlement = settleBatch(event, response);
    if (settlement.batchFailure) {
      logger.error('the consumer returned an invalid batch response; the whole batch will be retried', {
        queue: queueName,
        reason: settlement.batchFailure,
      });
    } else if (settlement.failedMessageIds.length > 0) {
      logger.warn('batch items failed; they will be retried after the visibility timeout', {
        queue: queueName,
        failed: settlement.failedMessageIds,
      });
    }
    for (const handle of settlement.deleteReceiptHandles) queue.delete(queueName, handle);
  }

  /** Sleeps until the next message is due, a send on this process, or `atMostMs` (the poll interval). */
  #idle(atMostMs = this.#options.pollIntervalMs): Promise<void> {
    const { queue, queueName } = this.#options;
    if (!this.#running) return Promise.resolve();
    const next = queue.nextVisibleAt(queueName);
    const untilDue = next === undefined ? atMostMs : Math.max(1, next - Date.now());
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(1, Math.min(atMostMs, untilDue)));
      this.#wakers.add(wake);
    });
  }

  #wakeOne(): void {
    const [wake] = this.#wakers;
    wake?.();
  }

  #wakeAll(): void {
    for (const wake of [...this.#wakers]) wake();
  }
}
