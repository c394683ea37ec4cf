/**
 * The Queue port on the local durable queue: one named queue per stage (DESIGN.md 4.4), chosen by
 * the message's stage, the body exactly the stage message as SQS carries it in production.
 */
import { ValidationError } from '#domain/errors.ts';
import { STAGE_NAMES, type StageName } from '#domain/job.ts';
import type { Queue, SendOptions, StageMessage } from '#shared/ports.ts';
import type { SqliteQueue } from './sqlite-queue.ts';

export function stageQueueName(stage: StageName): string {
  return stage;
}

export class SqliteStageQueue implements Queue {
  readonly #queue: SqliteQueue;

  constructor(queue: SqliteQueue) {
    this.#queue = queue;
  }

  async send(message: StageMessage, options: SendOptions = {}): Promise<void> {
    if (!STAGE_NAMES.includes(message.stage)) {
      throw new ValidationError(`no queue for stage ${String(message.stage)}`, { code: 'UNKNOWN_STAGE' });
    }
    // The whole message travels, including fields added to StageMessage later (e.g. its send id).
    this.#queue.send(stageQueueName(message.stage), JSON.stringify(message), {
      delaySeconds: options.delaySeconds ?? 0,
    });
  }
}
