import { describe, expect, it } from 'vitest';
import { parseOutboundAllowList } from '#domain/outbound-address.ts';
import type { Delivery } from '#domain/webhooks/delivery.ts';
import { FakeClock } from '#test/fakes/clock.ts';
import { FakeQueue } from '#test/fakes/queue.ts';
import { webhookPorts } from '#test/fakes/webhooks.ts';
import { errorOf, startApi } from './support/api-server.ts';

async function webhookApi() {
  const clock = new FakeClock();
  const queue = new FakeQueue(clock);
  const ports = webhookPorts();
  const webhooks = {
    ...ports,
    queue,
    clock,
    outbound: { allow: parseOutboundAllowList(''), requireHttps: false },
    secretOverlapSeconds: 3600,
  };
  const api = await startApi({ webhooks });
  const register = async (url = 'https://hooks.example.com/in', events: string[] = ['*']) => {
    const response = await api.call('POST', '/webhooks/endpoints', { body: { url, events } });
    return {
      response,
      body: (await response.clone().json()) as { endpoint: { id: string }; secret: string },
    };
  };
  return { api, clock, queue, ...ports, register };
}

describe('/webhooks/endpoints', () => {
  it('registers an endpoint with 201 and its secret once; no later read carries a secret', async () => {
    // Prepare
    const { api, register, webhookSecrets } = await webhookApi();
    // Act
    const { response, body } = await register('https://hooks.example.com/in', ['upgrade.succeeded']);
    const listed = await (await api.call('GET', '/webhooks/endpoints')).text();
    // Assess
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe(`/webhooks/endpoints/${body.endpoint.id}`);
    expect(body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(body.endpoint).toMatchObject({
      url: 'https://hooks.example.com/in',
      events: ['upgrade.succeeded'],
      status: 'active',
    });
    expect(listed).toContain(body.endpoint.id);
    expect(listed).not.toContain('whsec_');
    expect(await webhookSecrets.get(body.endpoint.id)).toEqual([
      expect.objectContaining({ secret: body.secret }),
    ]);
  });

  it.each([
    ['a loopback address', 'http://127.0.0.1:8080/', 'URL_REFUSED', 'loopback'],
    ['an IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]/', 'URL_REFUSED', 'loopback'],
    ['the metadata service', 'http://169.254.169.254/latest', 'URL_REFUSED', 'metadata'],
    ['a private address', 'https://10.1.2.3/', 'URL_REFUSED', 'private'],
    ['a unique-local address', 'https://[fd00::1]/', 'URL_REFUSED', 'unique-local'],
    ['localhost', 'https://localhost/', 'URL_REFUSED', 'loopback name'],
    ['credentials in the URL', 'https://user:pw@hooks.example.com/', 'URL_REFUSED', 'credentials'],
    ['a non-http scheme', 'ftp://hooks.example.com/', 'VALIDATION_FAILED', 'url'],
  ])('refuses %s with 400 and registers nothing', async (_, url, code, words) => {
    // Prepare
    const { api, register, webhookEndpoints } = await webhookApi();
    // Act
    const { response } = await register(url);
    // Assess
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe(code);
    expect(error.message).toContain(words);
    expect(error.message).not.toContain('pw@');
    expect(await webhookEndpoints.list()).toEqual([]);
    expect((await api.call('GET', '/webhooks/endpoints')).status).toBe(200);
  });

  it('refuses an unknown event type, naming the known ones', async () => {
    // Prepare
    const { register } = await webhookApi();
    // Act
    const { response } = await register('https://hooks.example.com/', ['upgrade.exploded']);
    // Assess
    expect(response.status).toBe(400);
    expect((await errorOf(response)).message).toContain('upgrade.succeeded');
  });

  it('rotates a secret: a new one once, the old one signing until the overlap ends', async () => {
    // Prepare
    const { api, clock, register, webhookSecrets } = await webhookApi();
    const { body: made } = await register();
    // Act
    const response = await api.call('POST', `/webhooks/endpoints/${made.endpoint.id}/rotate-secret`, {
      body: { overlapSeconds: 600 },
    });
    // Assess
    expect(response.status).toBe(200);
    const rotated = (await response.json()) as { secret: string; previousSecretsExpireAt: string };
    expect(rotated.secret).not.toBe(made.secret);
    expect(rotated.previousSecretsExpireAt).toBe(new Date(clock.now().getTime() + 600_000).toISOString());
    expect((await webhookSecrets.get(made.endpoint.id)).map((each) => each.secret)).toEqual([
      rotated.secret,
      made.secret,
    ]);
  });

  it('deletes an endpoint and its secrets; then it is 404 everywhere', async () => {
    // Prepare
    const { api, register, webhookSecrets } = await webhookApi();
    const { body: made } = await register();
    const path = `/webhooks/endpoints/${made.endpoint.id}`;
    // Act
    const deleted = await api.call('DELETE', path);
    const again = await api.call('DELETE', path);
    const deliveries = await api.call('GET', `${path}/deliveries`);
    // Assess
    expect(deleted.status).toBe(200);
    expect(again.status).toBe(404);
    expect(deliveries.status).toBe(404);
    expect(await webhookSecrets.get(made.endpoint.id)).toEqual([]);
  });

  it('lists deliveries with attempts, status codes and latency, and redelivers a failed one', async () => {
    // Prepare
    const { api, clock, queue, register, deliveries } = await webhookApi();
    const { body: made } = await register();
    const failed: Delivery = {
      id: `dlv_${made.endpoint.id}_0123abcd`,
      eventId: 'j1:3',
      eventType: 'upgrade.failed',
      endpointId: made.endpoint.id,
      url: 'https://hooks.example.com/in',
      body: '{}',
      createdAt: clock.now().toISOString(),
      status: 'failed',
      reason: 'no 2xx answer in 14 attempts over 24 h; last: HTTP 500',
      attempts: [
        { number: 1, at: clock.now().toISOString(), messageId: 'm1', statusCode: 500, latencyMs: 12 },
      ],
      version: 3,
    };
    await deliveries.createIfAbsent(failed);
    // Act
    const listed = await api.call('GET', `/webhooks/endpoints/${made.endpoint.id}/deliveries`);
    const redelivered = await api.call('POST', `/webhooks/deliveries/${failed.id}/redeliver`);
    const unknown = await api.call('POST', '/webhooks/deliveries/dlv_cb_ffff/redeliver');
    // Assess
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual({
      items: [
        expect.objectContaining({
          id: failed.id,
          status: 'failed',
          attempts: [{ number: 1, at: failed.createdAt, statusCode: 500, latencyMs: 12 }],
        }),
      ],
    });
    expect(redelivered.status).toBe(202);
    expect(await redelivered.json()).toMatchObject({ id: failed.id, status: 'pending' });
    expect(
      queue.sent.map((sent) => [sent.queue, (sent.message as unknown as { attempt: number }).attempt]),
    ).toEqual([['webhook-delivery', 2]]);
    expect(unknown.status).toBe(404);
  });
});
