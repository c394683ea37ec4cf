import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDeliveryStore } from '#adapters/aws/dynamo-deliveries.ts';
import { DynamoWebhookEndpoints } from '#adapters/aws/dynamo-webhook-endpoints.ts';
import { ConflictError } from '#domain/errors.ts';
import type { Delivery } from '#domain/webhooks/delivery.ts';
import { deliveryId } from '#usecases/webhook-fan-out.ts';
import { type AwsEmulators, startAwsEmulators } from './support/emulators.ts';

const TABLE = 'upgrader-webhooks-test';
let aws: AwsEmulators;
let endpoints: DynamoWebhookEndpoints;
let deliveries: DynamoDeliveryStore;

beforeAll(async () => {
  aws = await startAwsEmulators();
  await aws.createTable(TABLE);
  const table = { client: aws.clients.dynamo, tableName: TABLE };
  endpoints = new DynamoWebhookEndpoints(table);
  deliveries = new DynamoDeliveryStore(table);
});
afterAll(() => aws.stop());

const endpoint = (id: string, createdAt: string) => ({
  id,
  url: `https://hooks.example.com/${id}`,
  events: ['*'],
  createdAt,
  status: 'active' as const,
});

function delivery(eventId: string, endpointId: string | undefined, createdAt: string): Delivery {
  const url = 'https://hooks.example.com/cb';
  return {
    id: deliveryId(eventId, endpointId ? { endpointId, url } : { url }),
    eventId,
    eventType: 'upgrade.succeeded',
    ...(endpointId ? { endpointId } : {}),
    url,
    body: '{"type":"upgrade.succeeded"}',
    createdAt,
    status: 'pending',
    attempts: [],
    version: 0,
  };
}

describe('webhook endpoints on DynamoDB', () => {
  it('lists endpoints oldest first, sets their standing, and deletes them for good', async () => {
    // Prepare
    await endpoints.create(endpoint('ep_b', '2030-01-02T00:00:00.000Z'));
    await endpoints.create(endpoint('ep_a', '2030-01-01T00:00:00.000Z'));
    // Act
    await endpoints.setStatus('ep_a', 'failing', 'delivery dlv_x failed');
    await endpoints.setStatus('ep_a', 'active');
    await endpoints.setStatus('ep_b', 'disabled', 'the receiver answered 410 Gone');
    const deleted = await endpoints.delete('ep_b');
    await endpoints.setStatus('ep_b', 'failing', 'late');
    // Assess
    expect(deleted).toBe(true);
    expect(await endpoints.delete('ep_b')).toBe(false);
    expect(await endpoints.get('ep_b')).toBeUndefined();
    expect(await endpoints.list()).toEqual([endpoint('ep_a', '2030-01-01T00:00:00.000Z')]);
  });
});

describe('webhook deliveries on DynamoDB', () => {
  it('creates a delivery once, updates it only from the version read, and lists an endpoint’s newest first', async () => {
    // Prepare
    const first = delivery('j1:1', 'ep_c', '2030-01-01T00:00:00.000Z');
    const second = delivery('j1:2', 'ep_c', '2030-01-01T00:00:05.000Z');
    const callback = delivery('j1:2', undefined, '2030-01-01T00:00:05.000Z');
    // Act
    const created = [
      await deliveries.createIfAbsent(first),
      await deliveries.createIfAbsent(first),
      await deliveries.createIfAbsent(second),
      await deliveries.createIfAbsent(callback),
    ];
    const done = { ...first, status: 'succeeded' as const, version: 1 };
    await deliveries.update(done, 0);
    const stale = deliveries.update({ ...first, version: 1 }, 0);
    // Assess
    expect(created).toEqual([true, false, true, true]);
    await expect(stale).rejects.toBeInstanceOf(ConflictError);
    expect(await deliveries.get(first.id)).toEqual(done);
    expect(await deliveries.get(callback.id)).toEqual(callback);
    expect((await deliveries.forEndpoint('ep_c', 10)).map((each) => each.id)).toEqual([second.id, first.id]);
    expect(await deliveries.forEndpoint('ep_c', 1)).toHaveLength(1);
    expect(await deliveries.get('dlv_nonsense')).toBeUndefined();
  });
});
