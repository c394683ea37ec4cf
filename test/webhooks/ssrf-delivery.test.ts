import type { LookupAddress } from 'node:dns';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpWebhookSender, type Resolver } from '#adapters/webhook-sender.ts';
import { parseOutboundAllowList } from '#domain/outbound-address.ts';
import { registerEndpoint } from '#usecases/webhook-endpoints.ts';
import { type Receiver, startReceiver } from './support/receiver.ts';
import { webhookWorld } from './support/webhook-world.ts';

const resolving =
  (table: Record<string, string[]>): Resolver =>
  async (host) =>
    (table[host] ?? []).map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 }));

const post = (sender: HttpWebhookSender, url: string) =>
  sender.post({ url, headers: { 'content-type': 'application/json' }, body: '{}', timeoutMs: 2000 });

describe('outbound rules at delivery time, after resolution', () => {
  let hooks: Receiver;
  const senders: HttpWebhookSender[] = [];
  const sender = (allow: string, resolve: Resolver, requireHttps = false) => {
    const made = new HttpWebhookSender({ allow: parseOutboundAllowList(allow), resolve, requireHttps });
    senders.push(made);
    return made;
  };
  afterEach(async () => {
    await Promise.all(senders.splice(0).map((each) => each.close()));
    await hooks?.close();
  });

  it.each([
    ['a name resolving to loopback', 'hooks.example.com', ['127.0.0.1'], '127.0.0.1 is a loopback address'],
    ['a name resolving to IPv6 loopback', 'hooks.example.com', ['::1'], '::1 is a loopback address'],
    ['a name resolving to the metadata service', 'hooks.example.com', ['169.254.169.254'], 'cloud metadata'],
    ['a name resolving to a private address', 'hooks.example.com', ['10.0.0.7'], 'a private address'],
    ['a name resolving to an IPv4-mapped loopback', 'hooks.example.com', ['::ffff:127.0.0.1'], 'loopback'],
    [
      'a name resolving to a unique-local address',
      'hooks.example.com',
      ['fd00::5'],
      'a unique-local address',
    ],
    [
      'a name with one public and one private address',
      'hooks.example.com',
      ['93.184.216.34', '192.168.1.4'],
      'private',
    ],
  ])('refuses %s, sending nothing', async (_, host, addresses, reason) => {
    // Prepare
    hooks = await startReceiver(200);
    const refusing = sender('', resolving({ [host]: addresses }));
    // Act
    const outcome = await post(refusing, `http://${host}:${hooks.port}/hooks`);
    // Assess
    expect(outcome).toMatchObject({ refused: true, error: expect.stringContaining(reason) });
    expect(hooks.received).toEqual([]);
  });

  it.each([
    ['a literal IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]:1/hooks', 'loopback'],
    ['an octal loopback', 'http://0177.0.0.1:1/hooks', 'loopback'],
    ['credentials in the URL', 'http://user:pass@hooks.example.com/', 'credentials'],
    ['a non-http scheme', 'ftp://hooks.example.com/', 'http or https'],
    ['localhost', 'http://localhost:1/', 'loopback name'],
  ])('refuses %s before any lookup', async (_, url, reason) => {
    // Prepare
    let lookups = 0;
    const refusing = sender('', async () => {
      lookups++;
      return [];
    });
    // Act
    const outcome = await post(refusing, url);
    // Assess
    expect(outcome).toMatchObject({ refused: true, error: expect.stringContaining(reason) });
    expect(lookups).toBe(0);
  });

  it('refuses plain http where https is required', async () => {
    // Prepare
    const strict = sender('', resolving({}), true);
    // Act
    const outcome = await post(strict, 'http://hooks.example.com/');
    // Assess
    expect(outcome).toMatchObject({ refused: true, error: expect.stringContaining('must use https') });
  });

  it('connects to the very address it checked: a name resolving to an allow-listed address reaches it', async () => {
    // Prepare
    hooks = await startReceiver(204);
    const allowed = sender('127.0.0.1', resolving({ 'hooks.test': ['127.0.0.1'] }));
    // Act
    const outcome = await post(allowed, `http://hooks.test:${hooks.port}/hooks`);
    // Assess
    expect(outcome).toMatchObject({ statusCode: 204 });
    expect(hooks.received[0]?.headers.host).toBe(`hooks.test:${hooks.port}`);
  });

  it('delivers to an allow-listed host name that resolves to loopback, as registration admitted it', async () => {
    // Prepare
    hooks = await startReceiver(204);
    const resolve = resolving({ 'hooks.internal': ['127.0.0.1'] });
    const world = webhookWorld({ allow: 'hooks.internal', resolve });
    const url = `http://hooks.internal:${hooks.port}/hooks`;
    const registered = await registerEndpoint(world.admin, { url, events: ['*'] });
    // Act
    await world.fanOut(world.event());
    await world.drain();
    // Assess
    const [delivery] = await world.deliveries.forEndpoint(registered.endpoint.id, 10);
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: [{ statusCode: 204 }] });
    expect(hooks.received[0]?.headers.host).toBe(`hooks.internal:${hooks.port}`);
    await world.close();
  });

  it('still refuses a name the allow-list does not hold, resolving to loopback, beside one it holds', async () => {
    // Prepare
    hooks = await startReceiver(200);
    const resolve = resolving({ 'hooks.internal': ['127.0.0.1'], 'other.internal': ['127.0.0.1'] });
    const allowed = sender('hooks.internal', resolve);
    // Act
    const outcome = await post(allowed, `http://other.internal:${hooks.port}/hooks`);
    // Assess
    expect(outcome).toMatchObject({
      refused: true,
      error: 'other.internal resolves to 127.0.0.1 is a loopback address',
    });
    expect(hooks.received).toEqual([]);
  });

  it('catches DNS rebinding: a name that resolved to a public address at registration resolves to loopback at delivery', async () => {
    // Prepare
    hooks = await startReceiver(200);
    const answers = [['93.184.216.34'], ['127.0.0.1']];
    let calls = 0;
    const rebinding: Resolver = async () =>
      (answers[Math.min(calls++, 1)] ?? []).map((address) => ({ address, family: 4 }));
    const world = webhookWorld({ allow: '', resolve: rebinding });
    await rebinding('hooks.example.com'); // what a registration-time lookup would have seen
    const endpoint = await world.addEndpoint(`http://hooks.example.com:${hooks.port}/hooks`);
    // Act
    await world.fanOut(world.event());
    await world.drain();
    // Assess
    const [delivery] = await world.deliveries.forEndpoint(endpoint.id, 10);
    expect(delivery).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('127.0.0.1 is a loopback'),
    });
    expect(await world.webhookEndpoints.get(endpoint.id)).toMatchObject({ status: 'failing' });
    expect(hooks.received).toEqual([]);
    await world.close();
  });

  it('does not follow a redirect: a 3xx is a failed attempt', async () => {
    // Prepare
    hooks = await startReceiver(302);
    const allowed = sender('127.0.0.1', resolving({}));
    // Act
    const outcome = await post(allowed, hooks.url);
    // Assess
    expect(outcome).toMatchObject({ statusCode: 302 });
    expect(hooks.received).toHaveLength(1);
  });
});
