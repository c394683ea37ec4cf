/**
 * The receiving side of SqsQueue: parses an SQS record body into a StageMessage, and re-delays a
 * message that arrived before its `notBefore` (a wait longer than SQS's 15-minute delay cap).
 */
import { z } from 'zod';
import { ValidationError } from '#domain/errors.ts';
import { STAGE_NAMES } from '#domain/job.ts';
import type { Clock, Queue, StageMessage } from '#shared/ports.ts';

const stageMessageBody = z.object({
  jobId: z.string().min(1),
  stage: z.enum(STAGE_NAMES),
  hop: z.number().int().min(0),
  seq: z.number().int().min(0),
  notBefore: z.iso.datetime().optional(),
});

export interface ParsedStageRecord {
  message: StageMessage;
  notBefore?: Date;
}

export function parseStageRecord(body: string): ParsedStageRecord {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new ValidationError('stage message body is not JSON', { code: 'BAD_MESSAGE', cause: error });
  }
  const parsed = stageMessageBody.safeParse(json);
  if (!parsed.success) {
    throw new ValidationError(`stage message body is malformed: ${z.prettifyError(parsed.error)}`, {
      code: 'BAD_MESSAGE',
    });
  }
  const { notBefore, ...message } = parsed.data;
  return notBefore ? { message, notBefore: new Date(notBefore) } : { message };
}

/**
 * Returns the message to process now, or undefined after re-sending it with the remaining delay
 * (SqsQueue chains again if the remainder still exceeds the cap).
 */
export async function dueOrDeferred(
  record: ParsedStageRecord,
  queue: Queue,
  clock: Clock,
): Promise<StageMessage | undefined> {
  const remainingMs = (record.notBefore?.getTime() ?? 0) - clock.now().getTime();
  if (remainingMs <= 0) return record.message;
  await queue.send(record.message, { delaySeconds: Math.ceil(remainingMs / 1000) });
  return undefined;
}
