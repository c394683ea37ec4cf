import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { redeliver } from '#usecases/webhook-endpoints.ts';
import { type Receiver, startReceiver } from './support/receiver.ts';
import { webhookWorld } from './support/webhook-world.ts';

type World = ReturnType<typeof webhookWorld>;

describe('redelivery on request, over real loopback receivers', () => {
  let world: World;
  let hooks: Receiver;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    world = webhookWorld();
  });
  afterEach(async () => {
    vi.useRealTimers();
    await hooks?.close();
    await world.close();
  });

  /** A delivery to a receiver that answered 500 until its retry window ran out, and now answers 200. */
  async function deadLetter() {
    hooks = await startReceiver(500);
    const endpoint = await world.addEndpoint(hooks.url);
    await world.fanOut(world.event());
    await world.drain();
    const [failed] = await world.deliveries.forEndpoint(endpoint.id, 10);
    hooks.script(200);
    return { id: failed?.id ?? '', attempts: hooks.received.length };
  }

  it('sends the attempt on a retried redelivery when the first one could not send its message', async () => {
    // Prepare
    const { id, attempts } = await deadLetter();
    world.queue.failNextSend(new Error('SQS: ThrottlingException'));
    const throttled = redeliver(world.admin, id);
    await expect(throttled).rejects.toThrow('ThrottlingException');
    // Act
    const retried = await redeliver(world.admin, id);
    const queued = world.queue.size;
    await world.drain();
    // Assess
    expect(retried.status).toBe('pending');
    expect(queued).toBe(1);
    expect(hooks.received).toHaveLength(attempts + 1);
    expect(await world.deliveries.get(id)).toMatchObject({ status: 'succeeded' });
  });

  it('makes one attempt however often a reopened delivery is redelivered before it is sent', async () => {
    // Prepare
    const { id, attempts } = await deadLetter();
    // Act
    await redeliver(world.admin, id);
    await redeliver(world.admin, id);
    const [first, copy] = world.queue.peek();
    await world.deliver(first?.message as never);
    await world.deliver(copy?.message as never);
    await world.drain();
    // Assess
    expect(hooks.received).toHaveLength(attempts + 1);
    const delivered = await world.deliveries.get(id);
    expect(delivered?.status).toBe('succeeded');
    expect(delivered?.attempts).toHaveLength(attempts + 1);
  });

  it('leaves a delivery whose retries are under way alone', async () => {
    // Prepare
    hooks = await startReceiver(500, 200);
    const endpoint = await world.addEndpoint(hooks.url);
    await world.fanOut(world.event());
    const first = world.queue.take();
    await world.deliver(first?.message as never);
    const [retrying] = await world.deliveries.forEndpoint(endpoint.id, 10);
    // Act
    const unchanged = await redeliver(world.admin, retrying?.id ?? '');
    // Assess
    expect(unchanged).toEqual(retrying);
    expect(world.queue.peek()).toEqual([expect.objectContaining({ delaySeconds: 30 })]);
  });
});
