/**
 * The webhook path over real parts: SQLite stores in memory, the HTTP sender with its SSRF rules
 * (loopback allow-listed unless a test says otherwise), the fan-out, the delivery consumer and
 * the operator's calls, and a FakeQueue on a fake clock. The system time follows the fake clock
 * while a message is handled, so receivers verify signatures with the library's own timestamp
 * tolerance.
 */
import { DatabaseSync } from 'node:sqlite';
import { vi } from 'vitest';
import { SqliteDeliveryStore } from '#adapters/local/sqlite-deliveries.ts';
import { SqliteWebhookEndpoints, SqliteWebhookSecrets } from '#adapters/local/sqlite-webhook-endpoints.ts';
import { HttpWebhookSender, type Resolver } from '#adapters/webhook-sender.ts';
import { parseOutboundAllowList } from '#domain/outbound-address.ts';
import type { DeliveryMessage, RetryPolicy } from '#domain/webhooks/delivery.ts';
import type { WebhookEvent } from '#domain/webhooks/webhook-event.ts';
import { FakeClock } from '#test/fakes/clock.ts';
import { RecordingLog } from '#test/fakes/log.ts';
import { FakeQueue } from '#test/fakes/queue.ts';
import { makeDeliverWebhook } from '#usecases/deliver-webhook.ts';
import type { WebhookAdminDeps } from '#usecases/webhook-endpoints.ts';
import { fanOut } from '#usecases/webhook-fan-out.ts';
import { newSigningSecret } from '#usecases/webhook-secret.ts';

export interface WorldOptions {
  allow?: string;
  resolve?: Resolver;
  retryPolicy?: RetryPolicy;
}

export function webhookWorld(options: WorldOptions = {}) {
  const db = new DatabaseSync(':memory:');
  const clock = new FakeClock(new Date());
  const queue = new FakeQueue(clock);
  const webhookEndpoints = new SqliteWebhookEndpoints(db);
  const webhookSecrets = new SqliteWebhookSecrets(db);
  const deliveries = new SqliteDeliveryStore(db);
  const allow = parseOutboundAllowList(options.allow ?? '127.0.0.1');
  const sender = new HttpWebhookSender({
    allow,
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });
  const callbackSecret = newSigningSecret();
  const log = new RecordingLog();
  const deliver = makeDeliverWebhook({
    deliveries,
    webhookEndpoints,
    webhookSecrets,
    webhookSender: sender,
    callbackSecret: async () => callbackSecret,
    queue,
    clock,
    log,
    random: () => 0.5,
    ...(options.retryPolicy ? { retryPolicy: options.retryPolicy } : {}),
  });
  let sequence = 0;

  async function addEndpoint(url: string, events: string[] = ['*']) {
    const id = `ep_${++sequence}`;
    const secret = newSigningSecret();
    await webhookEndpoints.create({
      id,
      url,
      events,
      createdAt: clock.now().toISOString(),
      status: 'active',
    });
    await webhookSecrets.put(id, [{ secret, createdAt: clock.now().toISOString() }]);
    return { id, secret };
  }

  function event(type = 'upgrade.validating', data: Record<string, unknown> = { jobId: 'j1' }): WebhookEvent {
    return { id: `evt_${++sequence}`, type, timestamp: clock.now().toISOString(), data };
  }

  /** Delivers queued messages (moving the clock to delayed ones) until none is left. */
  async function drain(max = 100): Promise<number> {
    return queue.drain(
      {
        'webhook-delivery': async (message: unknown) => {
          vi.setSystemTime(clock.now());
          await deliver(message as unknown as DeliveryMessage);
        },
      } as never,
      { maxDeliveries: max },
    );
  }

  return {
    db,
    clock,
    queue,
    webhookEndpoints,
    webhookSecrets,
    deliveries,
    callbackSecret,
    log,
    deliver,
    addEndpoint,
    event,
    drain,
    /** The operator's side (register, redeliver...) on the same stores, queue and outbound rules. */
    admin: {
      webhookEndpoints,
      webhookSecrets,
      deliveries,
      queue,
      clock,
      outbound: { allow },
      secretOverlapSeconds: 3600,
    } satisfies WebhookAdminDeps,
    fanOut: (e: WebhookEvent, callbackUrl?: string) =>
      fanOut({ webhookEndpoints, deliveries, queue, clock }, e, callbackUrl),
    close: async () => {
      await sender.close();
      db.close();
    },
  };
}
