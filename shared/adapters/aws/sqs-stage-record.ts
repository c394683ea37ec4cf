/**
 * The receiving side of SqsQueue: re-delays a message that arrived before its `notBefore` (a wait
 * longer than SQS's 15-minute delay cap).
 */
import type { Clock, Queue, StageMessage } from '#shared/ports.ts';
import type { ParsedStageMessage } from '#shared/stage-message-body.ts';

/**
 * Returns the message to process now, or undefined after re-sending it with the remaining delay
 * (SqsQueue chains again if the remainder still exceeds the cap).
 */
export async function dueOrDeferred(
  record: ParsedStageMessage,
  queue: Queue,
  clock: Clock,
): Promise<StageMessage | undefined> {
  const remainingMs = (record.notBefore?.getTime() ?? 0) - clock.now().getTime();
  if (remainingMs <= 0) return record.message;
  await queue.send(record.message, { delaySeconds: Math.ceil(remainingMs / 1000) });
  return undefined;
}
