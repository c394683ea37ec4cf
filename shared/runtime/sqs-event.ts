/**
 * What Lambda's SQS event source mapping does around a handler, in the local runtime: the exact
 * `SQSEvent` shape for a received batch, and the settlement of the handler's answer with
 * `ReportBatchItemFailures` semantics (AWS Lambda developer guide, "Implementing partial batch
 * responses"): listed messages stay for a retry after their visibility timeout, the rest are
 * deleted; a malformed answer or a thrown error fails the whole batch.
 */
import { createHash } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { ReceivedMessage } from '#adapters/local/sqlite-queue.ts';

export const LOCAL_REGION = 'local';
export const LOCAL_ACCOUNT = '000000000000';
export const QUEUE_NAME_PREFIX = 'redis-upgrader-';

export function localQueueArn(queue: string): string {
  return `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${QUEUE_NAME_PREFIX}${queue}`;
}

export function toSqsRecord(queue: string, message: ReceivedMessage): SQSRecord {
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentAt),
      SenderId: LOCAL_ACCOUNT,
      ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt),
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(message.body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: localQueueArn(queue),
    awsRegion: LOCAL_REGION,
  };
}

export function toSqsEvent(queue: string, messages: readonly ReceivedMessage[]): SQSEvent {
  return { Records: messages.map((message) => toSqsRecord(queue, message)) };
}

/** What to do with a delivered batch: delete these receipt handles; the rest wait for their timeout. */
export interface Settlement {
  deleteReceiptHandles: string[];
  failedMessageIds: string[];
  /** Set when the whole batch counts as failed, with Lambda's reason. */
  batchFailure?: string;
}

function wholeBatchFailure(event: SQSEvent, reason: string): Settlement {
  return {
    deleteReceiptHandles: [],
    failedMessageIds: event.Records.map((r) => r.messageId),
    batchFailure: reason,
  };
}

/**
 * Success: no answer, `{}`, `{batchItemFailures: null | []}`. Whole-batch failure: an answer that
 * is not an object, a non-array `batchItemFailures`, or any entry whose `itemIdentifier` is
 * missing, empty, not a string or not a message id of this batch.
 */
export function settleBatch(event: SQSEvent, response: unknown): Settlement {
  const all = event.Records;
  if (response === undefined || response === null)
    return { deleteReceiptHandles: all.map((r) => r.receiptHandle), failedMessageIds: [] };
  if (typeof response !== 'object' || Array.isArray(response))
    return wholeBatchFailure(event, 'invalid response');
  const failures = (response as Partial<SQSBatchResponse>).batchItemFailures;
  if (failures === undefined || failures === null) {
    return { deleteReceiptHandles: all.map((r) => r.receiptHandle), failedMessageIds: [] };
  }
  if (!Array.isArray(failures)) return wholeBatchFailure(event, 'batchItemFailures is not a list');
  const ids = new Set(all.map((r) => r.messageId));
  const failed = new Set<string>();
  for (const failure of failures as unknown[]) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !ids.has(id)) {
      return wholeBatchFailure(event, `invalid itemIdentifier ${JSON.stringify(id ?? null)}`);
    }
    failed.add(id);
  }
  return {
    deleteReceiptHandles: all.filter((r) => !failed.has(r.messageId)).map((r) => r.receiptHandle),
    failedMessageIds: [...failed],
  };
}
