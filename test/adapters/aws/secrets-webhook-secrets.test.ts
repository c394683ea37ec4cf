import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SecretsManagerWebhookSecrets,
  secretsManagerCallbackSecret,
} from '#adapters/aws/secrets-webhook-secrets.ts';
import { type FakeSecretsManager, startFakeSecretsManager } from './support/secrets-manager.ts';

let secretsManager: FakeSecretsManager;
let client: SecretsManagerClient;

beforeAll(async () => {
  secretsManager = await startFakeSecretsManager(
    new Map([['callback-arn', 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3']]),
  );
  client = new SecretsManagerClient({
    endpoint: secretsManager.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});
afterAll(() => secretsManager.close());

describe('webhook secrets in Secrets Manager', () => {
  it('creates an endpoint’s secret under the prefix, replaces it on rotation, and deletes it', async () => {
    // Prepare
    const store = new SecretsManagerWebhookSecrets(client, 'upgrader/webhooks/');
    const old = { secret: 'whsec_AAAA', createdAt: '2030-01-01T00:00:00.000Z' };
    const first = [old];
    const rotated = [
      { secret: 'whsec_BBBB', createdAt: '2030-01-02T00:00:00.000Z' },
      { ...old, expiresAt: '2030-01-03T00:00:00.000Z' },
    ];
    // Act
    await store.put('ep_1', first);
    const created = await store.get('ep_1');
    await store.put('ep_1', rotated);
    const afterRotation = await store.get('ep_1');
    await store.delete('ep_1');
    await store.delete('ep_1');
    // Assess
    expect(created).toEqual(first);
    expect(afterRotation).toEqual(rotated);
    expect(await store.get('ep_1')).toEqual([]);
    expect(secretsManager.secrets.has('upgrader/webhooks/ep_1')).toBe(false);
  });

  it('reads the generated callback secret once and gives it the whsec_ prefix', async () => {
    // Prepare
    const read = secretsManagerCallbackSecret(client, 'callback-arn');
    const before = secretsManager.calls();
    // Act
    const [a, b] = [await read(), await read()];
    // Assess
    expect(a).toBe('whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3');
    expect(b).toBe(a);
    expect(secretsManager.calls() - before).toBe(1);
  });
});
