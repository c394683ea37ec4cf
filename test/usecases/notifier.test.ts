import { describe, expect, it } from 'vitest';
import { type JobEvent, type JobEventType, jobEvents } from '#domain/job-event.ts';
import type { WebhookEndpoint } from '#domain/webhooks/endpoint.ts';
import { FakeClock } from '#test/fakes/clock.ts';
import { RecordingMetrics } from '#test/fakes/metrics.ts';
import { createPipeline } from '#test/fakes/pipeline.ts';
import { FakeQueue } from '#test/fakes/queue.ts';
import { webhookPorts } from '#test/fakes/webhooks.ts';
import { makeNotifier } from '#usecases/notifier.ts';
import { deliveryId } from '#usecases/webhook-fan-out.ts';

const event = (index: number, type: JobEventType, data: Record<string, unknown> = {}): JobEvent => ({
  id: `j1:${index}`,
  type,
  occurredAt: '2030-01-01T00:00:00.000Z',
  data: { jobId: 'j1', cluster: 'region1', state: type.slice('upgrade.'.length), ...data },
});

function notifierDeps() {
  const clock = new FakeClock();
  const { webhookEndpoints } = webhookPorts();
  const deps = {
    webhookEndpoints,
    queue: new FakeQueue(clock),
    metrics: new RecordingMetrics(),
  };
  const endpoint = (id: string, events: string[], status: WebhookEndpoint['status'] = 'active') =>
    webhookEndpoints.create({
      id,
      url: `https://${id}.example.com/`,
      events,
      createdAt: clock.now().toISOString(),
      status,
    });
  const notified = () =>
    deps.queue.sent.filter((sent) => sent.queue === 'notify').map((sent) => sent.message);
  return { deps, notifier: makeNotifier(deps), endpoint, notified };
}

describe('the notifier', () => {
  it('sends no message for an event nobody listens to, and counts its outcome once', async () => {
    // Prepare
    const { deps, notifier, notified } = notifierDeps();
    // Act
    await notifier.emit(event(0, 'upgrade.queued'), {});
    await notifier.emit(event(1, 'upgrade.validating'), {});
    // Assess
    expect(notified()).toEqual([]);
    expect(deps.queue.sent).toEqual([]);
    expect(deps.metrics.counts).toEqual(['JobsStarted']);
  });

  it('sends an event an endpoint subscribes to, leaving its outcome to notify', async () => {
    // Prepare
    const { deps, notifier, endpoint, notified } = notifierDeps();
    await endpoint('ep_1', ['upgrade.succeeded']);
    const succeeded = event(9, 'upgrade.succeeded');
    // Act
    await notifier.emit(succeeded, {});
    // Assess
    expect(notified()).toEqual([succeeded]);
    expect(deps.metrics.counts).toEqual([]);
  });

  it('sends an event to notify for an endpoint subscribed to every type', async () => {
    // Prepare
    const { notifier, endpoint, notified } = notifierDeps();
    await endpoint('ep_1', ['*']);
    // Act
    await notifier.emit(event(1, 'upgrade.validating'), {});
    // Assess
    expect(notified()).toHaveLength(1);
  });

  it('sends nothing for a disabled endpoint or one subscribed to other types', async () => {
    // Prepare
    const { deps, notifier, endpoint, notified } = notifierDeps();
    await endpoint('ep_1', ['*'], 'disabled');
    await endpoint('ep_2', ['upgrade.failed']);
    // Act
    await notifier.emit(event(9, 'upgrade.succeeded'), {});
    // Assess
    expect(notified()).toEqual([]);
    expect(deps.metrics.counts).toEqual(['JobsSucceeded']);
  });

  it('sends every event of a job with a callback URL', async () => {
    // Prepare
    const { notifier, notified } = notifierDeps();
    // Act
    await notifier.emit(event(1, 'upgrade.validating'), { callbackUrl: 'https://hooks.example.com/job' });
    // Assess
    expect(notified()).toEqual([event(1, 'upgrade.validating')]);
  });

  it('wakes the rollout of a batch when one of its jobs ends, itself, and only then', async () => {
    // Prepare
    const { deps, notifier, notified } = notifierDeps();
    const ofBatch = { batchId: 'b1' };
    // Act
    await notifier.emit(event(1, 'upgrade.validating', ofBatch), {});
    await notifier.emit(event(9, 'upgrade.failed', ofBatch), {});
    await notifier.emit(event(2, 'upgrade.succeeded'), {});
    // Assess
    expect(deps.queue.sent.map(({ queue, message }) => [queue, message])).toEqual([
      ['rollout', { batchId: 'b1', reason: 'job j1 failed', jobId: 'j1' }],
    ]);
    expect(notified()).toEqual([]);
    expect(deps.metrics.counts).toEqual(['JobsFailed', 'JobsSucceeded']);
  });

  it('both wakes the rollout and sends to notify when a batch’s job that has receivers ends', async () => {
    // Prepare
    const { deps, notifier, notified } = notifierDeps();
    const failed = event(9, 'upgrade.failed', { batchId: 'b1' });
    // Act
    await notifier.emit(failed, { callbackUrl: 'https://hooks.example.com/job' });
    // Assess
    expect(deps.queue.sent.map(({ queue }) => queue)).toEqual(['rollout', 'notify']);
    expect(notified()).toEqual([failed]);
    expect(deps.metrics.counts).toEqual([]);
  });

  it('sends nothing and counts nothing when the endpoints cannot be read, so the emitter fails and retries', async () => {
    // Prepare
    const { deps, notified } = notifierDeps();
    const notifier = makeNotifier({
      ...deps,
      webhookEndpoints: { list: () => Promise.reject(new Error('table unavailable')) },
    });
    // Act
    const emitting = notifier.emit(event(9, 'upgrade.succeeded'), {});
    // Assess
    await expect(emitting).rejects.toThrow('table unavailable');
    expect(notified()).toEqual([]);
    expect(deps.metrics.counts).toEqual([]);
  });
});

describe('the notifier after a crash between a commit and its event', () => {
  it('lists the event with the commit, and sends it when the stage’s message is redelivered', async () => {
    // Prepare: check-backup commits `uploading`, then the notify queue fails before the event is sent
    const pipeline = createPipeline();
    await pipeline.addCluster('prod-1', { installed: '3.18.2', platformVersion: '4.0.0' });
    const callbackUrl = 'https://hooks.example.com/job';
    const { job } = await pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1', callbackUrl });
    await pipeline.deliverNext();
    const message = pipeline.queue.peek().find((queued) => queued.queue === 'check-backup')?.message;
    if (!message) throw new Error('set-up');
    const send = pipeline.queue.send.bind(pipeline.queue);
    pipeline.queue.send = (queue, sent, options) =>
      queue === 'notify' ? Promise.reject(new Error('queue unavailable')) : send(queue, sent, options);
    await expect(pipeline.stages['check-backup']?.(message)).rejects.toThrow('queue unavailable');
    pipeline.queue.send = send;
    const lost = `${job.id}:3`;
    const listed = jobEvents(await pipeline.job(job.id)).find((event) => event.id === lost);
    const sentBefore = await pipeline.webhooks.deliveries.get(deliveryId(lost, { url: callbackUrl }));
    // Act: the queue delivers the message again
    await pipeline.stages['check-backup']?.(message);
    // Assess
    expect(listed?.type).toBe('upgrade.uploading');
    expect(sentBefore).toBeUndefined();
    const delivery = await pipeline.webhooks.deliveries.get(deliveryId(lost, { url: callbackUrl }));
    expect(delivery?.eventType).toBe('upgrade.uploading');
  });
});
