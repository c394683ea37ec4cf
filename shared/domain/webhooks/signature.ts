/**
 * Standard Webhooks v1 signing, by the `standardwebhooks` package (never a hand-made HMAC): the
 * headers of one request. During a secret rotation every secret still in its overlap signs too,
 * as space-separated `v1,<base64>` signatures, so a receiver holding either secret verifies.
 */
import { Webhook } from 'standardwebhooks';

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export function signedHeaders(id: string, at: Date, body: string, secrets: readonly string[]): SignedHeaders {
  if (secrets.length === 0) throw new Error(`no signing secret for webhook ${id}`);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(id, at, body)).join(' '),
  };
}
