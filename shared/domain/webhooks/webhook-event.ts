/**
 * What a webhook receiver gets (Standard Webhooks v1): the body `{ type, timestamp, data }`, and
 * the event id as the `webhook-id` header, which stays the same across retries and redeliveries so
 * receivers dedupe on it. The source is generic (a type and its data): job events (fanned out by
 * notify) and batch events (by the rollout, #usecases/batch-webhooks.ts) take the same path.
 */
import * as z from 'zod';
import { JOB_EVENT_TYPES } from '#domain/job-event.ts';
import { BATCH_EVENT_TYPES } from '#domain/rollout/batch-events.ts';

/** Every type a receiver can subscribe to: the jobs' and the batches' events. */
export const WEBHOOK_EVENT_TYPES: readonly string[] = [...JOB_EVENT_TYPES, ...BATCH_EVENT_TYPES];

/** An endpoint's subscription: event types, or `*` for every type (today's and future ones). */
export const subscriptionSchema = z
  .array(
    z.string().refine((type) => type === '*' || WEBHOOK_EVENT_TYPES.includes(type), {
      message: `must be * or one of ${WEBHOOK_EVENT_TYPES.join(', ')}`,
    }),
  )
  .min(1)
  .max(64)
  .transform((types) => [...new Set(types)]);

export const webhookEventSchema = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  timestamp: z.iso.datetime(),
  data: z.record(z.string(), z.unknown()),
});
export interface WebhookEvent extends z.infer<typeof webhookEventSchema> {}

export function subscribes(events: readonly string[], type: string): boolean {
  return events.includes('*') || events.includes(type);
}

/** The request body; the signature covers exactly these bytes, so they are made once and stored. */
export function webhookBody(event: WebhookEvent): string {
  return JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data });
}
