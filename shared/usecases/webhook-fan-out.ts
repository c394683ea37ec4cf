/**
 * Fan-out (DESIGN.md 4.7): one event becomes one delivery per receiver, each with its own message
 * on the webhook-delivery queue, so a slow or failing receiver only ever delays its own
 * deliveries. Receivers: the endpoints subscribed to the event's type (not disabled) and the
 * callback URL of the job or batch it is about. Idempotent: a delivery's id derives from the
 * event and the receiver, so a redelivered event creates nothing new; a delivery found with no
 * attempt yet (the crash between creating it and sending its message) has its message sent again.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Delivery, DeliveryMessage } from '#domain/webhooks/delivery.ts';
import type { WebhookEndpoint } from '#domain/webhooks/endpoint.ts';
import { subscribes, type WebhookEvent, webhookBody } from '#domain/webhooks/webhook-event.ts';
import type { Clock, Queue } from '#shared/ports.ts';
import type { DeliveryStore, WebhookEndpointStore } from '#shared/webhook-ports.ts';

export type DeliveryQueues = { 'webhook-delivery': DeliveryMessage };

export interface FanOutDeps {
  webhookEndpoints: Pick<WebhookEndpointStore, 'list'>;
  deliveries: Pick<DeliveryStore, 'createIfAbsent' | 'get'>;
  queue: Queue<DeliveryQueues>;
  clock: Clock;
}

interface Receiver {
  endpointId?: string;
  url: string;
}

/** `dlv_<endpoint id or cb>_<hash>`: stores may keep a delivery beside its receiver's others. */
export function deliveryId(eventId: string, receiver: Receiver): string {
  const key = receiver.endpointId ? `endpoint:${receiver.endpointId}` : `callback:${receiver.url}`;
  const hash = createHash('sha256').update(`${eventId}\n${key}`).digest('hex').slice(0, 32);
  return `dlv_${receiver.endpointId ?? CALLBACK_RECEIVER}_${hash}`;
}

const CALLBACK_RECEIVER = 'cb';

/** The receiver part of a delivery id (an endpoint id, or `cb`); undefined for what is no delivery id. */
export function receiverOfDelivery(id: string): string | undefined {
  return /^dlv_(ep_[0-9a-f]+|cb)_[0-9a-f]+$/.exec(id)?.[1];
}

/** The message of a delivery's next attempt: its first, a retry (delayed), a redelivery on request. */
export async function sendAttempt(queue: Queue<DeliveryQueues>, delivery: Delivery, delaySeconds = 0) {
  const message = { deliveryId: delivery.id, attempt: delivery.attempts.length + 1, id: randomUUID() };
  await queue.send('webhook-delivery', message, delaySeconds > 0 ? { delaySeconds } : {});
}

/** The endpoints an event of `type` goes to: subscribed to it and not disabled. */
export function receivingEndpoints(endpoints: readonly WebhookEndpoint[], type: string): WebhookEndpoint[] {
  return endpoints.filter((endpoint) => endpoint.status !== 'disabled' && subscribes(endpoint.events, type));
}

export async function fanOut(deps: FanOutDeps, event: WebhookEvent, callbackUrl?: string): Promise<number> {
  const endpoints = receivingEndpoints(await deps.webhookEndpoints.list(), event.type);
  const receivers: Receiver[] = endpoints.map((endpoint) => ({ endpointId: endpoint.id, url: endpoint.url }));
  if (callbackUrl) receivers.push({ url: callbackUrl });
  const body = webhookBody(event);
  for (const receiver of receivers) {
    const delivery: Delivery = {
      id: deliveryId(event.id, receiver),
      eventId: event.id,
      eventType: event.type,
      ...receiver,
      body,
      createdAt: deps.clock.now().toISOString(),
      status: 'pending',
      attempts: [],
      version: 0,
    };
    const created = await deps.deliveries.createIfAbsent(delivery);
    const stored = created ? delivery : await deps.deliveries.get(delivery.id);
    if (stored?.status === 'pending' && stored.attempts.length === 0) await sendAttempt(deps.queue, stored);
  }
  return receivers.length;
}
