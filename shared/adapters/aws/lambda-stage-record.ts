/**
 * What the Lambda event source mapping delivers to a stage function, record by record: parse the
 * body, re-delay a message not yet due (waits beyond SQS's 15 minutes), run the stage with the
 * job's keys on every log line, and record the stage duration. A thrown error becomes this
 * record's batchItemFailure (Powertools BatchProcessor) and SQS redelivers it, then dead-letters.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import type { Logger } from '#shared/logger.ts';
import type { Clock, Queue, StageMessage } from '#shared/ports.ts';
import { parseStageMessageBody } from '#shared/stage-message-body.ts';
import { dueOrDeferred } from './sqs-stage-record.ts';

export interface StageRecordOptions {
  handle: (message: StageMessage) => Promise<void>;
  queue: Queue;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
}

export function stageRecordProcessor(options: StageRecordOptions): (record: SQSRecord) => Promise<void> {
  const { logger, metrics } = options;
  return async (record) => {
    const message = await dueOrDeferred(parseStageMessageBody(record.body), options.queue, options.clock);
    if (!message) return;
    const keys = { jobId: message.jobId, stage: message.stage, hop: message.hop };
    logger.appendKeys(keys);
    const started = performance.now();
    try {
      await options.handle(message);
      metrics.addMetric('StageMessagesProcessed', MetricUnit.Count, 1);
    } catch (error) {
      metrics.addMetric('StageMessagesFailed', MetricUnit.Count, 1);
      // The message only: a cause can carry response details we do not want in logs.
      logger.error('stage message failed; SQS will redeliver it', {
        error: error instanceof Error ? error.message : String(error),
      });
      throw error;
    } finally {
      metrics.addMetric('StageDuration', MetricUnit.Milliseconds, performance.now() - started);
      logger.removeKeys(Object.keys(keys));
    }
  };
}
