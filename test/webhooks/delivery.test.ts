import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Receiver, startReceiver } from './support/receiver.ts';
import { webhookWorld } from './support/webhook-world.ts';

type World = ReturnType<typeof webhookWorld>;

/** The library's verify, as the receiver ran it when the request came (its clock then). */
function verify(secret: string, request: { body: string; headers: Record<string, unknown> }) {
  vi.setSystemTime(Number(request.headers['webhook-timestamp']) * 1000);
  return new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
}

describe('webhook delivery to real loopback receivers', () => {
  let world: World;
  const receivers: Receiver[] = [];
  const receiver = async (...answers: Parameters<typeof startReceiver>) => {
    const made = await startReceiver(...answers);
    receivers.push(made);
    return made;
  };

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    world = webhookWorld();
  });
  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all(receivers.splice(0).map((each) => each.close()));
    await world.close();
  });

  it('signs each event for every subscribed endpoint and the callback URL, which verify it with the library', async () => {
    // Prepare
    const [hooks, other, callback] = [await receiver(200), await receiver(200), await receiver(202)];
    const subscribed = await world.addEndpoint(hooks.url, ['upgrade.validating']);
    await world.addEndpoint(other.url, ['upgrade.succeeded']);
    const event = world.event('upgrade.validating', { jobId: 'j1', state: 'validating' });
    // Act
    const receiversCount = await world.fanOut(event, callback.url);
    await world.drain();
    // Assess
    expect(receiversCount).toBe(2);
    expect(other.received).toEqual([]);
    const [atEndpoint] = hooks.received;
    const [atCallback] = callback.received;
    expect(verify(subscribed.secret, atEndpoint as never)).toEqual({
      type: 'upgrade.validating',
      timestamp: event.timestamp,
      data: { jobId: 'j1', state: 'validating' },
    });
    expect(verify(world.callbackSecret, atCallback as never)).toMatchObject({ type: 'upgrade.validating' });
    expect(() => verify(world.callbackSecret, atEndpoint as never)).toThrow('No matching signature');
    expect(atEndpoint?.headers['webhook-id']).toBe(event.id);
    expect(atEndpoint?.headers['content-type']).toBe('application/json');
    const [stored] = await world.deliveries.forEndpoint(subscribed.id, 10);
    expect(stored).toMatchObject({ status: 'succeeded', attempts: [{ number: 1, statusCode: 200 }] });
  });

  it('retries a failing receiver with growing delays, the same webhook-id each time, until it recovers', async () => {
    // Prepare
    const hooks = await receiver(500, 503, 429, 200);
    const endpoint = await world.addEndpoint(hooks.url);
    const event = world.event();
    // Act
    await world.fanOut(event);
    await world.drain();
    // Assess
    expect(hooks.received.map((request) => request.headers['webhook-id'])).toEqual([
      event.id,
      event.id,
      event.id,
      event.id,
    ]);
    expect(world.queue.sent.map((sent) => sent.delaySeconds)).toEqual([0, 30, 60, 120]);
    const [delivery] = await world.deliveries.forEndpoint(endpoint.id, 10);
    expect(delivery?.attempts.map((attempt) => attempt.statusCode)).toEqual([500, 503, 429, 200]);
    expect(delivery?.status).toBe('succeeded');
    for (const request of hooks.received) expect(verify(endpoint.secret, request as never)).toBeTruthy();
  });

  it('counts a receiver that does not answer in time as a failed attempt and retries it', async () => {
    // Prepare
    world = webhookWorld({
      retryPolicy: { timeoutSeconds: 0.3, baseSeconds: 30, maxSeconds: 3600, giveUpAfterSeconds: 86_400 },
    });
    const hooks = await receiver('hang', 200);
    const endpoint = await world.addEndpoint(hooks.url);
    // Act
    await world.fanOut(world.event());
    await world.drain();
    // Assess
    const [delivery] = await world.deliveries.forEndpoint(endpoint.id, 10);
    expect(delivery?.attempts.map((attempt) => attempt.error ?? attempt.statusCode)).toEqual([
      'no answer within the timeout',
      200,
    ]);
  });

  it('disables an endpoint that answers 410 Gone: no retry, and no later event goes to it', async () => {
    // Prepare
    const hooks = await receiver(410);
    const endpoint = await world.addEndpoint(hooks.url);
    // Act
    await world.fanOut(world.event());
    await world.drain();
    const later = await world.fanOut(world.event('upgrade.succeeded'));
    // Assess
    expect(hooks.received).toHaveLength(1);
    expect(later).toBe(0);
    expect(await world.webhookEndpoints.get(endpoint.id)).toMatchObject({ status: 'disabled' });
  });

  it('gives up after 24 hours of failures, marks the endpoint failing, and a later success makes it active', async () => {
    // Prepare
    const hooks = await receiver(500);
    const endpoint = await world.addEndpoint(hooks.url);
    const start = world.clock.now().getTime();
    // Act
    await world.fanOut(world.event());
    await world.drain();
    const failing = await world.webhookEndpoints.get(endpoint.id);
    hooks.script(200);
    await world.fanOut(world.event());
    await world.drain();
    // Assess
    const [, dead] = await world.deliveries.forEndpoint(endpoint.id, 10);
    expect(dead?.status).toBe('failed');
    expect(dead?.reason).toMatch(/no 2xx answer in \d+ attempts over 24 h; last: HTTP 500/);
    const lastAttempt = Date.parse(dead?.attempts.at(-1)?.at ?? '');
    expect(lastAttempt - start).toBeLessThanOrEqual(24 * 3600 * 1000);
    expect(lastAttempt - start).toBeGreaterThan(12 * 3600 * 1000);
    expect(failing).toMatchObject({ status: 'failing' });
    expect(await world.webhookEndpoints.get(endpoint.id)).toMatchObject({ status: 'active' });
  });

  it('creates one delivery per event and receiver however often the event or a message comes again', async () => {
    // Prepare
    const hooks = await receiver(200);
    const endpoint = await world.addEndpoint(hooks.url);
    const event = world.event();
    // Act
    await world.fanOut(event);
    await world.fanOut(event);
    const [first, copy] = world.queue.peek();
    await world.drain();
    await world.deliver(first?.message as never);
    await world.deliver(copy?.message as never);
    // Assess
    expect(hooks.received).toHaveLength(1);
    expect(await world.deliveries.forEndpoint(endpoint.id, 10)).toHaveLength(1);
  });

  it('re-sends the next attempt when the message behind the last commit comes back (a crash before the send)', async () => {
    // Prepare
    const hooks = await receiver(500, 200);
    await world.addEndpoint(hooks.url);
    await world.fanOut(world.event());
    const first = world.queue.take();
    await world.deliver(first?.message as never);
    world.queue.take(); // the retry's message is lost with the crash
    // Act
    await world.deliver(first?.message as never);
    await world.drain();
    // Assess
    expect(hooks.received).toHaveLength(2);
  });

  it('signs with the old and the new secret during a rotation overlap, then with the new one only', async () => {
    // Prepare
    const hooks = await receiver(200);
    const endpoint = await world.addEndpoint(hooks.url);
    const fresh = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const now = world.clock.now();
    await world.webhookSecrets.put(endpoint.id, [
      { secret: fresh, createdAt: now.toISOString() },
      {
        secret: endpoint.secret,
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + 3600_000).toISOString(),
      },
    ]);
    // Act
    await world.fanOut(world.event());
    await world.drain();
    world.clock.advance(3601);
    await world.fanOut(world.event());
    await world.drain();
    // Assess
    const [during, after] = hooks.received;
    expect(String(during?.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(endpoint.secret, during as never)).toBeTruthy();
    expect(verify(fresh, during as never)).toBeTruthy();
    expect(verify(fresh, after as never)).toBeTruthy();
    expect(() => verify(endpoint.secret, after as never)).toThrow('No matching signature');
  });
});
