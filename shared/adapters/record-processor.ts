/**
 * What both runtimes do with the SQS records of a consumer's queue (the Lambda event source
 * mapping on AWS, a QueuePoller locally): decode each body with the queue's schema (a body that
 * does not fit, or a message on the wrong queue, fails), re-send a message that is not due yet
 * (a wait beyond SQS's 15-minute delay cap, see SqsQueue) with the remaining delay, run the
 * consumer, count and time it. A thrown error becomes the record's batchItemFailure: the queue
 * redelivers it and dead-letters it after the receive limit. Records of a batch run concurrently
 * (Powertools' default), so message keys go on each log line, never onto a shared logger.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type * as z from 'zod';
import { errorMessage } from '#domain/errors.ts';
import type { Clock, Log, Metrics, Queue } from '#shared/ports.ts';
import { decodeQueueBody } from '#shared/queue-messages.ts';

/** A consumer bound to its ports (#usecases/consumers.ts `bindConsumer`). */
export interface RecordConsumer<M extends object> {
  name: string;
  row: { message: z.ZodType<M>; logKeys(message: M): Record<string, unknown> };
  handle: (message: M) => Promise<void>;
  /** Its own queue must be among those it may send to, for re-delays. */
  queue: Queue;
}

export interface RecordProcessorOptions {
  clock: Clock;
  log: Log;
  metrics?: Metrics;
}

export type RecordProcessor = (record: SQSRecord) => Promise<void>;

export function recordProcessor<M extends object>(
  consumer: RecordConsumer<M>,
  { clock, log, metrics }: RecordProcessorOptions,
): RecordProcessor {
  const { name, row, handle, queue } = consumer;
  return async (record) => {
    let keys: Record<string, unknown> = {
      messageId: record.messageId,
      receiveCount: record.attributes.ApproximateReceiveCount,
    };
    const started = performance.now();
    try {
      const { message, notBefore } = decodeQueueBody(record.body, row.message, name);
      keys = { ...keys, ...row.logKeys(message) };
      const remainingMs = (notBefore?.getTime() ?? 0) - clock.now().getTime();
      if (remainingMs > 0) {
        await queue.send(name, message, { delaySeconds: Math.ceil(remainingMs / 1000) });
        return;
      }
      await handle(message);
      metrics?.count('StageMessagesProcessed');
    } catch (error) {
      metrics?.count('StageMessagesFailed');
      // The message only: a cause can carry response details we do not want in logs.
      log.error('message failed; the queue will redeliver it', {
        queue: name,
        ...keys,
        error: errorMessage(error),
      });
      throw error;
    } finally {
      metrics?.milliseconds('StageDuration', performance.now() - started);
    }
  };
}

/** The end of the invocation handling the current record, epoch ms (invocationDeadline). */
const invocationEnd = new AsyncLocalStorage<number>();

/**
 * When the invocation carrying the record being handled ends (epoch ms): Lambda's own end, or on
 * the local runtime the batch's start plus its budget; undefined outside one. An effect that must
 * not outlive its invocation (a violet push) bounds itself by this: on AWS, running past it fails
 * the whole batch, each record back only after its visibility timeout. Read where the effect
 * starts, so no port carries it through the use cases.
 */
export function invocationDeadline(): number | undefined {
  return invocationEnd.getStore();
}

export interface BatchHandlerOptions {
  /** Runs before each batch (the catalog's refresh). */
  beforeBatch?: () => Promise<void>;
  /** Without a Lambda context (the local runtime): how long a batch's invocation may take. */
  budgetMs?: number;
}

/**
 * The SQS batch handler over a record processor, as Lambda with ReportBatchItemFailures wants it.
 * One BatchProcessor per batch, since local pollers run batches concurrently. A fully failed
 * batch is reported as a list too (not thrown): Lambda treats both alike, and a throw would hide
 * which records failed. The records run within the invocation's deadline (invocationDeadline).
 */
export function batchHandler(
  processRecord: RecordProcessor,
  { beforeBatch, budgetMs }: BatchHandlerOptions = {},
): (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse> {
  return async (event, context) => {
    const remainingMs = context ? context.getRemainingTimeInMillis() : budgetMs;
    const handleBatch = async () => {
      await beforeBatch?.();
      return processPartialResponse(event, processRecord, new BatchProcessor(EventType.SQS), {
        ...(context ? { context } : {}),
        throwOnFullBatchFailure: false,
      });
    };
    return remainingMs === undefined
      ? handleBatch()
      : invocationEnd.run(Date.now() + remainingMs, handleBatch);
  };
}
