import { DatabaseSync } from 'node:sqlite';
import { SqliteDeliveryStore } from '#adapters/local/sqlite-deliveries.ts';
import { SqliteWebhookEndpoints, SqliteWebhookSecrets } from '#adapters/local/sqlite-webhook-endpoints.ts';
import type { WebhookSender } from '#shared/webhook-ports.ts';
import { newSigningSecret } from '#usecases/webhook-secret.ts';

/** The webhook ports a runtime offers, over an in-memory SQLite database; the sender sends nothing. */
export function webhookPorts() {
  const db = new DatabaseSync(':memory:');
  const secret = newSigningSecret();
  const sender: WebhookSender = { post: async () => ({ error: 'no network in this test', latencyMs: 0 }) };
  return {
    webhookEndpoints: new SqliteWebhookEndpoints(db),
    webhookSecrets: new SqliteWebhookSecrets(db),
    deliveries: new SqliteDeliveryStore(db),
    webhookSender: sender,
    callbackSecret: async () => secret,
  };
}
