/**
 * The webhook-delivery consumer: one message = one attempt of one delivery. It signs the stored
 * body with the receiver's current secrets (an endpoint's, or the callback secret for a job's
 * callbackUrl), POSTs it through the sender (SSRF rules after resolution, no redirects, the
 * timeout), records the attempt with a conditional write, and only then acts on the outcome:
 * the next attempt as a delayed message on its own queue (delays beyond SQS's 15 minutes are
 * chained by the queue adapter), the endpoint marked failing when the retries ran out, disabled on
 * 410, active again after a success. A copy of a message is dropped; the message behind the last
 * commit coming back (a crash before the next send) re-sends the next attempt's message.
 */
import {
  afterAttempt,
  classifyMessage,
  DEFAULT_RETRY_POLICY,
  type Delivery,
  type DeliveryMessage,
  type NextStep,
  type RetryPolicy,
} from '#domain/webhooks/delivery.ts';
import { signingSecrets } from '#domain/webhooks/endpoint.ts';
import { signedHeaders } from '#domain/webhooks/signature.ts';
import type { Clock, Log, Queue } from '#shared/ports.ts';
import type {
  DeliveryStore,
  WebhookEndpointStore,
  WebhookSecretStore,
  WebhookSender,
} from '#shared/webhook-ports.ts';
import { type DeliveryQueues, sendAttempt } from './webhook-fan-out.ts';

export interface DeliverWebhookDeps {
  deliveries: DeliveryStore;
  webhookEndpoints: Pick<WebhookEndpointStore, 'get' | 'setStatus'>;
  webhookSecrets: Pick<WebhookSecretStore, 'get'>;
  webhookSender: WebhookSender;
  /** Signs deliveries to callback URLs (jobs' and batches'). */
  callbackSecret: () => Promise<string>;
  queue: Queue<DeliveryQueues>;
  clock: Clock;
  log: Log;
  random?: () => number;
  retryPolicy?: RetryPolicy;
}

const USER_AGENT = 'redis-upgrader-webhooks/1';

async function secretsFor(deps: DeliverWebhookDeps, delivery: Delivery): Promise<string[] | string> {
  if (!delivery.endpointId) return [await deps.callbackSecret()];
  const endpoint = await deps.webhookEndpoints.get(delivery.endpointId);
  if (!endpoint) return 'its endpoint was deleted';
  if (endpoint.status === 'disabled')
    return `its endpoint is disabled (${endpoint.statusReason ?? 'disabled'})`;
  return signingSecrets(await deps.webhookSecrets.get(endpoint.id), deps.clock.now());
}

async function act(deps: DeliverWebhookDeps, delivery: Delivery, next: NextStep): Promise<void> {
  const { endpointId } = delivery;
  if (next.kind === 'retry') {
    await sendAttempt(deps.queue, delivery, next.delaySeconds);
    return;
  }
  if (!endpointId) return;
  if (next.kind === 'gone') await deps.webhookEndpoints.setStatus(endpointId, 'disabled', delivery.reason);
  if (next.kind === 'failed') {
    await deps.webhookEndpoints.setStatus(
      endpointId,
      'failing',
      `delivery ${delivery.id} failed: ${delivery.reason}`,
    );
  }
  if (next.kind === 'succeeded') {
    const endpoint = await deps.webhookEndpoints.get(endpointId);
    if (endpoint?.status === 'failing') await deps.webhookEndpoints.setStatus(endpointId, 'active');
  }
}

async function reemit(deps: DeliverWebhookDeps, delivery: Delivery): Promise<void> {
  const due = delivery.nextAttemptAt ? Date.parse(delivery.nextAttemptAt) : deps.clock.now().getTime();
  const delaySeconds = Math.max(0, Math.ceil((due - deps.clock.now().getTime()) / 1000));
  await act(deps, delivery, { kind: 'retry', delaySeconds });
}

export function makeDeliverWebhook(deps: DeliverWebhookDeps): (message: DeliveryMessage) => Promise<void> {
  return async (message) => {
    const delivery = await deps.deliveries.get(message.deliveryId);
    if (!delivery) {
      deps.log.warn('webhook delivery not found; message dropped', { deliveryId: message.deliveryId });
      return;
    }
    const verdict = classifyMessage(delivery, message);
    if (verdict === 'reemit') await reemit(deps, delivery);
    if (verdict !== 'process') return;
    const now = deps.clock.now();
    const secrets = await secretsFor(deps, delivery);
    if (typeof secrets === 'string') {
      const { nextAttemptAt: _, ...rest } = delivery;
      const abandoned = {
        ...rest,
        status: 'abandoned' as const,
        reason: secrets,
        version: delivery.version + 1,
      };
      await deps.deliveries.update(abandoned, delivery.version);
      return;
    }
    const headers = {
      ...signedHeaders(delivery.eventId, now, delivery.body, secrets),
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
    };
    const timeoutMs = (deps.retryPolicy ?? DEFAULT_RETRY_POLICY).timeoutSeconds * 1000;
    const outcome = await deps.webhookSender.post({
      url: delivery.url,
      headers,
      body: delivery.body,
      timeoutMs,
    });
    const { delivery: recorded, next } = afterAttempt(delivery, outcome, {
      now: deps.clock.now(),
      messageId: message.id,
      random: (deps.random ?? Math.random)(),
      ...(deps.retryPolicy ? { policy: deps.retryPolicy } : {}),
    });
    await deps.deliveries.update(recorded, delivery.version);
    deps.log.info('webhook attempt', {
      deliveryId: delivery.id,
      eventId: delivery.eventId,
      attempt: message.attempt,
      outcome: 'statusCode' in outcome ? outcome.statusCode : outcome.error,
      next: next.kind,
    });
    await act(deps, recorded, next);
  };
}
