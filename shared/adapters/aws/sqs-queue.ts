/**
 * Queue on SQS: one standard queue per consumer (docs/architecture.md §4), the body the message's JSON
 * (#shared/queue-messages.ts). Waits are SQS delays; SQS caps a delay at 15 minutes, so a longer
 * wait carries its due time (`notBefore`) in the body and the consumer re-delays it until due
 * (#adapters/record-processor.ts).
 */
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { TransientError, ValidationError } from '#domain/errors.ts';
import type { Clock, Queue, SendOptions } from '#shared/ports.ts';
import { encodeQueueBody } from '#shared/queue-messages.ts';
import { type AwsClientOptions, clientConfig } from './aws-client-config.ts';
import { mapAwsError } from './aws-errors.ts';

/** SQS's limit for one message and for the sum of one SendMessageBatch. */
export function makeSqsClient(options: AwsClientOptions = {}): SQSClient {
  return new SQSClient(clientConfig(options, 'sqs'));
}

export const MAX_SQS_PAYLOAD_BYTES = 256 * 1024;
export const MAX_SQS_DELAY_SECONDS = 900;
export const MAX_SQS_BATCH_ENTRIES = 10;

export interface SqsQueueOptions {
  client: SQSClient;
  /** Queue URL by queue name, from the stack's environment: only the queues this function may send to. */
  urls: Readonly<Record<string, string>>;
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

  async send(queue: string, message: object, options: SendOptions = {}): Promise<void> {
    const out = this.#outgoing(queue, message, options);
    try {
      await this.#options.client.send(
        new SendMessageCommand({ QueueUrl: out.url, MessageBody: out.body, DelaySeconds: out.delaySeconds }),
      );
    } catch (error) {
      throw mapAwsError(error, `send a message to the ${queue} queue`);
    }
  }

  /** Sends many messages (a batch wave) in SendMessageBatch calls of at most 10 entries and 256 KiB. */
  async sendMany(
    entries: readonly { queue: string; message: object }[],
    options: SendOptions = {},
  ): Promise<void> {
    const byUrl = new Map<string, Outgoing[]>();
    for (const { queue, message } of entries) {
      const out = this.#outgoing(queue, message, options);
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

  #outgoing(queue: string, message: object, options: SendOptions): Outgoing {
    const url = this.#options.urls[queue];
    if (!url) {
      throw new ValidationError(`no URL for the ${queue} queue: the stack did not bind it to this function`, {
        code: 'UNKNOWN_QUEUE',
      });
    }
    const wanted = Math.max(0, Math.ceil(options.delaySeconds ?? 0));
    const notBefore =
      wanted > MAX_SQS_DELAY_SECONDS
        ? new Date(this.#options.clock.now().getTime() + wanted * 1000)
        : undefined;
    const text = encodeQueueBody(message, notBefore);
    if (Buffer.byteLength(text) > MAX_SQS_PAYLOAD_BYTES) {
      throw new ValidationError(`a message to the ${queue} queue exceeds SQS's 256 KiB limit`, {
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
