/**
 * Turns a stage handler (one StageMessage at a time) into an SQS batch handler that reports
 * partial failures, the shape a Lambda with ReportBatchItemFailures has. Used by the local
 * runtime's pollers; a Lambda entry can wrap the same factory. A body that is not a stage message
 * fails its record, so it dead-letters after the receive limit instead of vanishing.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ValidationError } from '#domain/errors.ts';
import type { StageName } from '#domain/job.ts';
import type { Log, StageMessage } from '#shared/ports.ts';
import { parseStageMessageBody } from '#shared/stage-message-body.ts';

export function parseStageMessage(body: string, expectedStage: StageName): StageMessage {
  const { message } = parseStageMessageBody(body);
  if (message.stage !== expectedStage) {
    throw new ValidationError(`a ${message.stage} message arrived on the ${expectedStage} queue`, {
      code: 'BAD_MESSAGE',
    });
  }
  return message;
}

export function makeStageBatchHandler(
  stage: StageName,
  handle: (message: StageMessage) => Promise<void>,
  log: Log,
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const record = async (sqsRecord: SQSRecord): Promise<void> => {
    try {
      await handle(parseStageMessage(sqsRecord.body, stage));
    } catch (error) {
      log.error('stage message failed; it will be retried', {
        stage,
        messageId: sqsRecord.messageId,
        receiveCount: sqsRecord.attributes.ApproximateReceiveCount,
        error: error instanceof Error ? error.message : String(error),
      });
      throw error;
    }
  };
  // A processor keeps per-batch state, and local pollers run batches concurrently: one per batch.
  // All records failing is reported as a list too (not thrown): Lambda treats both alike.
  return (event) =>
    processPartialResponse(event, record, new BatchProcessor(EventType.SQS), {
      throwOnFullBatchFailure: false,
    });
}
