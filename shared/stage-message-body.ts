/**
 * The one parser of a stage message's queue body (DESIGN.md 4.4), shared by the local runtime and
 * the SQS adapter so both accept exactly the same messages. `notBefore` is how the SQS adapter
 * chains waits longer than SQS's 15-minute delay cap; the local queue never sets it.
 */
import { z } from 'zod';
import { ValidationError } from '#domain/errors.ts';
import { STAGE_NAMES } from '#domain/job.ts';
import type { StageMessage } from '#shared/ports.ts';

const stageMessageBody = z.object({
  jobId: z.string().min(1),
  stage: z.enum(STAGE_NAMES),
  hop: z.number().int().min(0),
  seq: z.number().int().min(0),
  id: z.string().min(1).optional(),
  notBefore: z.iso.datetime().optional(),
});

export interface ParsedStageMessage {
  message: StageMessage;
  notBefore?: Date;
}

export function parseStageMessageBody(body: string): ParsedStageMessage {
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
  const { notBefore, id, ...ref } = parsed.data;
  const message: StageMessage = id ? { ...ref, id } : ref;
  return notBefore ? { message, notBefore: new Date(notBefore) } : { message };
}
