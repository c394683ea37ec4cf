/**
 * Managing webhook endpoints (DESIGN.md 4.5): register one (its URL checked against the outbound
 * rules, its secret generated and returned this once), list, delete, rotate its secret (the old
 * one keeps signing beside the new one for the overlap), read its deliveries, redeliver one.
 */
import { randomUUID } from 'node:crypto';
import { NotFoundError, ValidationError } from '#domain/errors.ts';
import { checkOutboundUrl, type OutboundRules } from '#domain/outbound-address.ts';
import { type Delivery, reopened } from '#domain/webhooks/delivery.ts';
import { rotated, type WebhookEndpoint } from '#domain/webhooks/endpoint.ts';
import type { Clock, Queue } from '#shared/ports.ts';
import type { DeliveryStore, WebhookEndpointStore, WebhookSecretStore } from '#shared/webhook-ports.ts';
import { type DeliveryQueues, sendAttempt } from './webhook-fan-out.ts';
import { newSigningSecret } from './webhook-secret.ts';

export interface WebhookAdminDeps {
  webhookEndpoints: WebhookEndpointStore;
  webhookSecrets: WebhookSecretStore;
  deliveries: DeliveryStore;
  queue: Queue<DeliveryQueues>;
  clock: Clock;
  outbound: OutboundRules;
  /** Default overlap of a rotation, seconds. */
  secretOverlapSeconds: number;
}

export interface RegisterInput {
  url: string;
  events: string[];
  description?: string;
}

/** The endpoint and its secret, which no later read returns. */
export interface WithSecret {
  endpoint: WebhookEndpoint;
  secret: string;
}

export async function registerEndpoint(deps: WebhookAdminDeps, input: RegisterInput): Promise<WithSecret> {
  const verdict = checkOutboundUrl(input.url, deps.outbound.allow, deps.outbound);
  if (!verdict.allowed) {
    throw new ValidationError(`url refused: ${verdict.reason}`, { code: 'URL_REFUSED' });
  }
  const now = deps.clock.now().toISOString();
  const endpoint: WebhookEndpoint = {
    id: `ep_${randomUUID().replaceAll('-', '')}`,
    url: verdict.url,
    events: input.events,
    ...(input.description ? { description: input.description } : {}),
    createdAt: now,
    status: 'active',
  };
  const secret = newSigningSecret();
  // The secret first: an endpoint is never listed (and sent to) without one.
  await deps.webhookSecrets.put(endpoint.id, [{ secret, createdAt: now }]);
  await deps.webhookEndpoints.create(endpoint);
  return { endpoint, secret };
}

export async function existingEndpoint(deps: Pick<WebhookAdminDeps, 'webhookEndpoints'>, id: string) {
  const endpoint = await deps.webhookEndpoints.get(id);
  if (!endpoint) throw new NotFoundError(`webhook endpoint ${id} not found`);
  return endpoint;
}

export async function deleteEndpoint(deps: WebhookAdminDeps, id: string): Promise<WebhookEndpoint> {
  const endpoint = await existingEndpoint(deps, id);
  // The endpoint first: its pending deliveries then end as abandoned rather than unsigned.
  await deps.webhookEndpoints.delete(id);
  await deps.webhookSecrets.delete(id);
  return endpoint;
}

export async function rotateSecret(
  deps: WebhookAdminDeps,
  id: string,
  overlapSeconds = deps.secretOverlapSeconds,
): Promise<WithSecret & { previousSecretsExpireAt?: string }> {
  const endpoint = await existingEndpoint(deps, id);
  const now = deps.clock.now();
  const secret = newSigningSecret();
  const secrets = rotated(await deps.webhookSecrets.get(id), secret, now, overlapSeconds);
  await deps.webhookSecrets.put(id, secrets);
  const until = secrets
    .slice(1)
    .map((each) => each.expiresAt ?? '')
    .sort()
    .at(-1);
  return { endpoint, secret, ...(until ? { previousSecretsExpireAt: until } : {}) };
}

export async function endpointDeliveries(deps: WebhookAdminDeps, id: string, limit: number) {
  await existingEndpoint(deps, id);
  return deps.deliveries.forEndpoint(id, limit);
}

/**
 * Sends a delivery again, with the same webhook-id and body, on a fresh 24-hour retry window.
 * A refused, failed or abandoned one is reopened if its endpoint still exists and is not disabled.
 * One pending with a retry scheduled is left alone (its retries are under way); one pending with
 * none has its attempt message sent again: the reopening may have been committed and its send
 * lost (throttled, a crash between the two), and nothing else would ever send it.
 */
export async function redeliver(deps: WebhookAdminDeps, id: string): Promise<Delivery> {
  const delivery = await deps.deliveries.get(id);
  if (!delivery) throw new NotFoundError(`webhook delivery ${id} not found`);
  if (delivery.status === 'pending') {
    // Every recorded attempt that leaves a delivery pending sets nextAttemptAt, so one without it
    // has had no attempt since it was opened. A second message for that attempt is harmless: the
    // consumer processes the attempt once and drops the other message (classifyMessage), and of
    // two handled at once only one commits its attempt (the conditional write).
    if (!delivery.nextAttemptAt) await sendAttempt(deps.queue, delivery);
    return delivery;
  }
  if (delivery.endpointId) {
    const endpoint = await existingEndpoint(deps, delivery.endpointId);
    if (endpoint.status === 'disabled') {
      throw new ValidationError(
        `endpoint ${endpoint.id} is disabled (${endpoint.statusReason ?? 'disabled'}); register it again`,
        { code: 'ENDPOINT_DISABLED' },
      );
    }
  }
  const again = reopened(delivery, deps.clock.now());
  await deps.deliveries.update(again, delivery.version);
  await sendAttempt(deps.queue, again);
  return again;
}
