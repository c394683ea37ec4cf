import { describe, expect, it } from 'vitest';
import type { Batch } from '#domain/rollout/batch.ts';
import type { DeliveryMessage } from '#domain/webhooks/delivery.ts';
import { InMemoryBatchStore } from '#test/fakes/batch-store.ts';
import { startedBatch, testBatch } from '#test/fakes/batches.ts';
import { FakeClock } from '#test/fakes/clock.ts';
import { FakeQueue, type StageHandlers } from '#test/fakes/queue.ts';
import { webhookPorts } from '#test/fakes/webhooks.ts';
import { publishBatchEvents } from '#usecases/batch-webhooks.ts';
import { rolloutPipeline } from './support/rollout-pipeline.ts';

const CALLBACK = 'https://hooks.example.com/batch';

async function world() {
  const clock = new FakeClock('2026-03-02T10:00:00.000Z');
  const webhooks = webhookPorts();
  const deps = { ...webhooks, batches: new InMemoryBatchStore(), queue: new FakeQueue(clock), clock };
  const endpoint = async (id: string, events: string[]) =>
    deps.webhookEndpoints.create({
      id,
      url: `https://${id}.example.com/`,
      events,
      createdAt: clock.now().toISOString(),
      status: 'active',
    });
  /** The batch created, then its first decision committed with its events (nothing published yet). */
  const committed = async (): Promise<Batch> => {
    const batch = { ...testBatch('b1'), callbackUrl: CALLBACK };
    await deps.batches.create(batch);
    const decision = startedBatch(batch);
    await deps.batches.update(decision.batch, batch.version, decision.events);
    return decision.batch;
  };
  const deliveryIds = () =>
    deps.queue.sent.map(({ message }) => (message as { deliveryId?: string }).deliveryId);
  return { deps, endpoint, committed, deliveryIds };
}

describe('batch events to webhooks', () => {
  it('sends each committed event to the endpoints subscribed to it and to the batch’s callbackUrl, once', async () => {
    // Prepare
    const { deps, endpoint, committed, deliveryIds } = await world();
    await endpoint('ep_a1', ['batch.started']);
    await endpoint('ep_b2', ['upgrade.succeeded']);
    await endpoint('ep_c3', ['*']);
    const batch = await committed();
    const events = await deps.batches.events('b1');
    // Act
    const first = await publishBatchEvents(deps, batch);
    const again = await publishBatchEvents(deps, batch);
    // Assess
    expect(first).toBe(events.length);
    expect(again).toBe(0);
    expect(events.map((event) => event.type)).toEqual(['batch.started', 'wave.started']);
    expect(deliveryIds()).toHaveLength(1 + 2 * 2);
    expect(new Set(deliveryIds()).size).toBe(5);
    expect(await deps.batches.publishedThrough('b1')).toBe(batch.eventSeq);
    const toCallback = await deps.deliveries.get(deliveryIds().find((id) => id?.startsWith('dlv_cb_')) ?? '');
    const started = (await deps.deliveries.forEndpoint('ep_a1', 10))[0];
    expect(started).toMatchObject({
      eventId: 'b1:1',
      eventType: 'batch.started',
      url: 'https://ep_a1.example.com/',
    });
    expect(JSON.parse(started?.body ?? '')).toEqual({
      type: 'batch.started',
      timestamp: events[0]?.at,
      data: expect.objectContaining({
        batchId: 'b1',
        seq: 1,
        reason: expect.any(String),
        batch: expect.objectContaining({ id: 'b1', targetVersion: '4.2.1', state: 'running', waves: 2 }),
      }),
    });
    expect(toCallback?.url).toBe(CALLBACK);
  });

  it('publishes what a crash between the commit and the fan-out kept back on the next wake, under the same delivery ids', async () => {
    // Prepare
    const { deps, endpoint, committed, deliveryIds } = await world();
    await endpoint('ep_a1', ['*']);
    const batch = await committed();
    const create = deps.deliveries.createIfAbsent.bind(deps.deliveries);
    let calls = 0;
    deps.deliveries.createIfAbsent = async (delivery) => {
      if (++calls === 3) throw new Error('process died');
      return create(delivery);
    };
    const crashed = await publishBatchEvents(deps, batch).catch((error: Error) => error.message);
    const before = deliveryIds().length;
    // Act
    const published = await publishBatchEvents(deps, batch);
    // Assess
    expect(crashed).toBe('process died');
    expect(before).toBe(2);
    expect(published).toBe(2);
    // The first event's deliveries, created before the crash and never attempted, get their message again.
    expect(new Set(deliveryIds()).size).toBe(4);
    expect(deliveryIds().slice(before)).toEqual(expect.arrayContaining(deliveryIds().slice(0, before)));
    expect(await deps.batches.publishedThrough('b1')).toBe(2);
  });

  it('costs one read of the mark when nothing new was committed', async () => {
    // Prepare
    const { deps, committed } = await world();
    const batch = await committed();
    await publishBatchEvents(deps, batch);
    let eventReads = 0;
    const events = deps.batches.events.bind(deps.batches);
    deps.batches.events = (id) => {
      eventReads += 1;
      return events(id);
    };
    // Act
    const published = await publishBatchEvents(deps, batch);
    // Assess
    expect(published).toBe(0);
    expect(eventReads).toBe(0);
  });
});

describe('the rollout publishing its batch’s events', () => {
  type Pipeline = Awaited<ReturnType<typeof rolloutPipeline>>;
  /** The deliveries the rollout sent a message for, in order. */
  const sentDeliveries = (pipeline: Pipeline) =>
    Promise.all(
      pipeline.queue.sent
        .filter(({ queue }) => queue === 'webhook-delivery')
        .map(({ message }) =>
          pipeline.webhooks.deliveries.get((message as unknown as DeliveryMessage).deliveryId),
        ),
    );
  const handlersOf = (pipeline: Pipeline) =>
    pipeline.stages as Record<string, (message: unknown) => Promise<void>>;

  it('sends every event of a rollout, operator commands included, to the batch’s callbackUrl', async () => {
    // Prepare
    const pipeline = await rolloutPipeline(3);
    const batch = await pipeline.start(
      { canary: 1, waveSize: 2, approval: 'after-canary' },
      { callbackUrl: CALLBACK },
    );
    // The deliveries' own messages are the webhook-delivery consumer's business: dropped here.
    const handlers = { ...handlersOf(pipeline), 'webhook-delivery': async () => {} } as StageHandlers;
    await pipeline.queue.drain(handlers);
    await pipeline.command(batch.id, { kind: 'approve', by: 'ops' });
    // Act
    await pipeline.queue.drain(handlers);
    // Assess
    const events = await pipeline.batches.events(batch.id);
    const sent = await sentDeliveries(pipeline);
    expect(sent.map((delivery) => delivery?.eventId)).toEqual(events.map((event) => event.id));
    expect(sent.every((delivery) => delivery?.url === CALLBACK)).toBe(true);
    expect(events.map((event) => event.type)).toContain('wave.approved');
    expect(events.at(-1)?.type).toBe('batch.completed');
  });

  it('publishes events committed by a wake that died before its fan-out when the message comes again', async () => {
    // Prepare
    const pipeline = await rolloutPipeline(1);
    const batch = await pipeline.start({ canary: 1 }, { callbackUrl: CALLBACK });
    const wake = pipeline.queue.take();
    const publish = pipeline.batches.publishedThrough.bind(pipeline.batches);
    let reads = 0;
    pipeline.batches.publishedThrough = async (id) => {
      // The read after the commit is the second of the wake: the process dies there.
      if (++reads === 2) throw new Error('process died');
      return publish(id);
    };
    const rollout = handlersOf(pipeline).rollout as (message: unknown) => Promise<void>;
    const died = await rollout(structuredClone(wake?.message)).catch(String);
    const committed = await pipeline.batches.events(batch.id);
    // Act
    await rollout(structuredClone(wake?.message));
    // Assess
    expect(died).toContain('process died');
    expect(committed.map((event) => event.type)).toEqual(['batch.started', 'wave.started']);
    const sent = await sentDeliveries(pipeline);
    expect(sent.map((delivery) => delivery?.eventId)).toEqual(committed.map((event) => event.id));
  });
});
