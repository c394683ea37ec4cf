/**
 * Queue message bodies, one codec for every queue on both runtimes. A body is the message as a
 * JSON object (a stage's is docs/architecture.md §4's `{ jobId, stage, hop, seq }`), plus `notBefore` when
 * the SQS adapter chains a wait beyond SQS's 15-minute delay cap: the consumer re-delays such a
 * message until it is due (#adapters/record-processor.ts). `notBefore` is therefore reserved in
 * every message type. Which schema parses which queue is the consumer table's business
 * (#usecases/consumers.ts).
 */
import * as z from 'zod';
import { ValidationError } from '#domain/errors.ts';
import { STAGE_NAMES, type StageName } from '#domain/job.ts';
import type { RolloutMessage, StageMessage } from '#shared/ports.ts';

export interface DecodedBody<M> {
  message: M;
  /** Set on a chained wait: the message is due then, not before. */
  notBefore?: Date;
}

const stageMessage = z.object({
  jobId: z.string().min(1),
  stage: z.enum(STAGE_NAMES),
  hop: z.number().int().min(0),
  seq: z.number().int().min(0),
  id: z.string().min(1).optional(),
});

/** A stage message, and only one of `stage`: anything else on that queue is misrouted. */
export function stageMessageOn(stage: StageName): z.ZodType<StageMessage> {
  return stageMessage.superRefine((message, context) => {
    if (message.stage !== stage)
      context.addIssue({
        code: 'custom',
        message: `a ${message.stage} message arrived on the ${stage} queue`,
      });
  });
}

export const rolloutMessageSchema = z.object({
  batchId: z.string().min(1),
  reason: z.string().max(1000),
  seq: z.number().int().min(0).optional(),
  due: z.iso.datetime().optional(),
  jobId: z.string().min(1).optional(),
}) satisfies z.ZodType<RolloutMessage>;

const notBeforeField = z.iso.datetime().optional();

export function encodeQueueBody(message: object, notBefore?: Date): string {
  return JSON.stringify(notBefore ? { ...message, notBefore: notBefore.toISOString() } : message);
}

/** Parses a body with its queue's schema; a body that does not fit is a ValidationError (BAD_MESSAGE). */
export function decodeQueueBody<M>(body: string, schema: z.ZodType<M>, queue: string): DecodedBody<M> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new ValidationError(`${queue} message body is not JSON`, { code: 'BAD_MESSAGE', cause: error });
  }
  const isObject = typeof json === 'object' && json !== null && !Array.isArray(json);
  const { notBefore, ...fields } = isObject ? (json as Record<string, unknown>) : {};
  const due = notBeforeField.safeParse(notBefore);
  const parsed = schema.safeParse(isObject ? fields : json);
  if (!parsed.success || !due.success) {
    const issues = [parsed.error, due.error].filter((error) => error !== undefined);
    throw new ValidationError(
      `${queue} message body is malformed: ${issues.map((error) => z.prettifyError(error)).join('; ')}`,
      { code: 'BAD_MESSAGE' },
    );
  }
  return due.data ? { message: parsed.data, notBefore: new Date(due.data) } : { message: parsed.data };
}
