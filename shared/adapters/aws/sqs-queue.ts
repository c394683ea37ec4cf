/**
 * Queue on SQS: one standard queue per stage (DESIGN.md 4.4). Waits are SQS delays; SQS caps a
 * delay at 15 minutes, so a longer wait carries its due time (`notBefore`) in the body and the
 * receiving side re-delays it until due (see sqs-stage-record.ts).
 */
import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { TransientError, ValidationError } from '#domain/errors.ts';
import type { StageName } from '#domain/job.ts';
import type { Clock, Queue, SendOptions, StageMessage } from '#shared/ports.ts';
import { mapAwsError } from './aws-errors.ts';

/** SQS's limit for one message and for the sum of one SendMessageBatch. */
export const MAX_SQS_PAYLOAD_BYTES = 256 * 1024;
export const MAX_SQS_DELAY_SECONDS = 900;
export const MAX_SQS_BATCH_ENTRIES = 10;

/** The wire body: the stage message plus, for waits beyond SQS's cap, when it becomes due. */
export interface StageMessageBody extends StageMessage {
  notBefore?: string;
}

export interface SqsQueueOptions {
  client: SQSClient;
  /** Queue URL per stage, from the stack's environment: only the queues this function may send to. */
  urls: Readonly<Partial<Record<StageName, string>>>;
  clock: Clock;
  /** Attempts for batch entries SQS reports as failed on its side. */
  batchAttempts?: number;
}

interface Outgoing {
  url: string;
  body: string;
  delaySeconds: number;
}

export class SqsQueue implements Queue {
  readonly #options: SqsQueueOptions;

  constructor(options: SqsQueueOptions) {
    this.#options = options;
  }

  async send(message: StageMessage, options: SendOptions = {}): Promise<void> {
    const out = this.#outgoing(message, options);
    try {
      await this.#options.client.send(
        new SendMessageCommand({ QueueUrl: out.url, MessageBody: out.body, DelaySeconds: out.delaySeconds }),
      );
    } catch (error) {
      throw mapAwsError(error, `send ${message.stage} message for job ${message.jobId}`);
    }
  }

  /** Sends many messages (a batch wave) in SendMessageBatch calls of at most 10 entries and 256 KiB. */
  async sendMany(messages: readonly StageMessage[], options: SendOptions = {}): Promise<void> {
    const byUrl = new Map<string, Outgoing[]>();
    for (const message of messages) {
      const out = this.#outgoing(message, options);
      byUrl.set(out.url, [...(byUrl.get(out.url) ?? []), out]);
    }
    for (const [url, outs] of byUrl) {
      for (const chunk of chunkForBatch(outs)) await this.#sendChunk(url, chunk);
    }
  }

  async #sendChunk(url: string, chunk: Outgoing[]): Promise<void> {
    let pending = chunk.map((out, index) => ({
      Id: String(index),
      MessageBody: out.body,
      DelaySeconds: out.delaySeconds,
    }));
    const attempts = this.#options.batchAttempts ?? 3;
    for (let attempt = 1; pending.length > 0; attempt++) {
      let failed: { Id?: string; SenderFault?: boolean; Code?: string; Message?: string }[];
      try {
        const result = await this.#options.client.send(
          new SendMessageBatchCommand({ QueueUrl: url, Entries: pending }),
        );
        failed = result.Failed ?? [];
      } catch (error) {
        throw mapAwsError(error, `send a batch of ${pending.length} messages`);
      }
      const senderFault = failed.find((entry) => entry.SenderFault);
      if (senderFault) {
        throw new ValidationError(`SQS refused a message: ${senderFault.Code}: ${senderFault.Message}`, {
          code: 'MESSAGE_REFUSED',
        });
      }
      const failedIds = new Set(failed.map((entry) => entry.Id));
      pending = pending.filter((entry) => failedIds.has(entry.Id));
      if (pending.length > 0 && attempt >= attempts) {
        throw new TransientError(`SQS failed ${pending.length} batch entries after ${attempts} attempts`, {
          details: { codes: failed.map((entry) => entry.Code) },
        });
      }
    }
  }

  #outgoing(message: StageMessage, options: SendOptions): Outgoing {
    const url = this.#options.urls[message.stage];
    if (!url)
      throw new ValidationError(`no queue configured for stage ${message.stage}`, { code: 'UNKNOWN_STAGE' });
    const wanted = Math.max(0, Math.ceil(options.delaySeconds ?? 0));
    const body: StageMessageBody = {
      jobId: message.jobId,
      stage: message.stage,
      hop: message.hop,
      seq: message.seq,
      ...(message.id ? { id: message.id } : {}),
    };
    if (wanted > MAX_SQS_DELAY_SECONDS) {
      body.notBefore = new Date(this.#options.clock.now().getTime() + wanted * 1000).toISOString();
    }
    const text = JSON.stringify(body);
    if (Buffer.byteLength(text) > MAX_SQS_PAYLOAD_BYTES) {
      throw new ValidationError(`message for job ${message.jobId} exceeds SQS's 256 KiB limit`, {
        code: 'MESSAGE_TOO_LARGE',
      });
    }
    return { url, body: text, delaySeconds: Math.min(wanted, MAX_SQS_DELAY_SECONDS) };
  }
}

/** Splits entries into SendMessageBatch calls: at most 10 entries and 256 KiB of bodies each. */
export function chunkForBatch<T extends { body: string }>(entries: readonly T[]): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = Buffer.byteLength(entry.body);
    if (
      current.length === MAX_SQS_BATCH_ENTRIES ||
      (current.length > 0 && bytes + size > MAX_SQS_PAYLOAD_BYTES)
    ) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
