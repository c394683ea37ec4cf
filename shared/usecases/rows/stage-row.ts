/** A stage's row: its queue's message schema and log keys are the same for every stage. */
import type { StageName } from '#domain/job.ts';
import type { StageMessage } from '#shared/ports.ts';
import { stageMessageOn } from '#shared/queue-messages.ts';
import type { ConsumerRow, Needs } from '#usecases/consumer-row.ts';

export function stageRow<const N extends Needs>(
  name: StageName,
  row: Omit<ConsumerRow<StageMessage, N>, 'message' | 'logKeys'>,
): ConsumerRow<StageMessage, N> {
  return {
    message: stageMessageOn(name),
    logKeys: ({ jobId, stage, hop, seq }) => ({ jobId, stage, hop, seq }),
    ...row,
  };
}
