/**
 * The Queue port on the local durable queue: one named queue per consumer (docs/architecture.md §4), the
 * body exactly what SQS carries in production (#shared/queue-messages.ts).
 */
import { ValidationError } from '#domain/errors.ts';
import type { Expediter, Queue, SendOptions } from '#shared/ports.ts';
import { encodeQueueBody } from '#shared/queue-messages.ts';
import type { SqliteQueue } from './sqlite-queue.ts';

export class SqliteMessageQueue implements Queue, Expediter {
  readonly #queue: SqliteQueue;
  readonly #names: readonly string[];

  /** `names`: the queues that exist; a send to any other is refused, not left unread. */
  constructor(queue: SqliteQueue, names: readonly string[]) {
    this.#queue = queue;
    this.#names = names;
  }

  async send(queue: string, message: object, options: SendOptions = {}): Promise<void> {
    if (!this.#names.includes(queue)) {
      throw new ValidationError(`there is no ${queue} queue`, { code: 'UNKNOWN_QUEUE' });
    }
    // The message's own id, taken here where it is an object (the queue would parse the body back).
    const bodyId = 'id' in message && typeof message.id === 'string' ? { bodyId: message.id } : {};
    this.#queue.send(queue, encodeQueueBody(message), { delaySeconds: options.delaySeconds ?? 0, ...bodyId });
  }

  async expedite(queue: string, messageId: string): Promise<boolean> {
    return this.#queue.expedite(queue, messageId);
  }
}
