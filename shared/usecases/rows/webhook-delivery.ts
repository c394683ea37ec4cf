/** The webhook-delivery consumer's row (#usecases/consumers.ts). */
import { type DeliveryMessage, deliveryMessageSchema } from '#domain/webhooks/delivery.ts';
import type { ConsumerRow } from '#usecases/consumer-row.ts';
import { makeDeliverWebhook } from '#usecases/deliver-webhook.ts';

// Retries are delayed messages on its own queue (beyond 15 minutes, chained by the SQS adapter).
export const WEBHOOK_DELIVERY_ROW = {
  message: deliveryMessageSchema,
  sends: ['webhook-delivery'],
  needs: { webhookStore: true, webhookSigning: true },
  timeout: 'stage',
  logKeys: ({ deliveryId, attempt }) => ({ deliveryId, attempt }),
  make: makeDeliverWebhook,
} satisfies ConsumerRow<DeliveryMessage, { webhookStore: true; webhookSigning: true }>;
