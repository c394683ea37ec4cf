/**
 * Batch events out to webhooks (DESIGN.md 4.7): every event a batch recorded goes to the endpoints
 * subscribed to its type and to the batch's callbackUrl, through the same fan-out as job events.
 *
 * Why a published-through mark rather than a message sent after the commit: a batch's events are
 * committed with its decision (by the rollout, by an operator's command through the API), and a
 * process may die right after that commit. A message sent afterwards would then be lost with it.
 * Instead the rollout consumer, the one place every batch change passes through (commands and
 * creation wake it), publishes on every wake whatever lies past the batch's mark, then raises the
 * mark. A crash before the mark moves republishes the same events on the next wake, which creates
 * nothing new: a delivery's id derives from the event id (`<batchId>:<seq>`) and the receiver.
 * The mark is kept apart from the batch, so raising it never moves the batch's version (which
 * would supersede the rollout's timers).
 */
import type { Batch } from '#domain/rollout/batch.ts';
import { batchWebhookEvent } from '#domain/webhooks/batch-webhook-event.ts';
import type { BatchStore } from '#shared/ports.ts';
import { type FanOutDeps, fanOut } from './webhook-fan-out.ts';

export interface BatchWebhookDeps extends FanOutDeps {
  batches: Pick<BatchStore, 'events' | 'publishedThrough' | 'markPublished'>;
}

/**
 * Fans out the events of `batch` (as last read or committed) past its mark, oldest first, and
 * raises the mark to the last of them. Returns how many events went out. Costs one read of the
 * mark when there is nothing new.
 */
export async function publishBatchEvents(deps: BatchWebhookDeps, batch: Batch): Promise<number> {
  const through = await deps.batches.publishedThrough(batch.id);
  if (batch.eventSeq <= through) return 0;
  const pending = (await deps.batches.events(batch.id)).filter((event) => event.seq > through);
  for (const event of pending) await fanOut(deps, batchWebhookEvent(event, batch), batch.callbackUrl);
  const last = pending.at(-1);
  if (last) await deps.batches.markPublished(batch.id, last.seq);
  return pending.length;
}
