import { describe, expect, it } from 'vitest';
import { type JobEvent, type JobEventType, jobEvents } from '#domain/job-event.ts';
import type { WebhookEndpoint } from '#domain/webhooks/endpoint.ts';
import type { StageMessage } from '#shared/ports.ts';
import { FakeClock } from '#test/fakes/clock.ts';
import type { AnyJob } from '#test/fakes/jobs.ts';
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
    const validate = pipeline.queue.peek().find((queued) => queued.queue === 'validate')?.message;
    await pipeline.stages.validate?.(validate as StageMessage);
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

  it('sends every event of a commit that made two when the message comes back after a crash before them', async () => {
    // Prepare: validate commits queued -> validating -> checking-backup, then the process dies
    // before its events and its next message are out
    const { pipeline, job, callbackUrl, failNext } = await createdWithCallback();
    const validate = pipeline.queue.peek().find((queued) => queued.queue === 'validate')?.message;
    failNext(['notify', 'check-backup']);
    await expect(pipeline.stages.validate?.(validate as StageMessage)).rejects.toThrow('process died');
    // Act: the queue delivers the message again, and once more when the runner parked it until
    // the next message is overdue (it cannot tell a crash before the send from a duplicate)
    await pipeline.stages.validate?.(validate as StageMessage);
    pipeline.clock.advance(120);
    await pipeline.stages.validate?.(validate as StageMessage);
    // Assess
    for (const [index, type] of [
      [1, 'upgrade.validating'],
      [2, 'upgrade.checking-backup'],
    ] as const) {
      const delivery = await pipeline.webhooks.deliveries.get(
        deliveryId(`${job.id}:${index}`, { url: callbackUrl }),
      );
      expect(delivery?.eventType).toBe(type);
    }
    expect(pipeline.queue.peek().filter((queued) => queued.queue === 'check-backup')).toHaveLength(1);
  });

  it('sends the next message even when the event cannot be sent, so a notify outage holds no job up', async () => {
    // Prepare
    const { pipeline, job, failNext } = await createdWithCallback();
    const validate = pipeline.queue.peek().find((queued) => queued.queue === 'validate')?.message;
    failNext(['notify']);
    // Act
    const handled = pipeline.stages.validate?.(validate as StageMessage);
    // Assess
    await expect(handled).rejects.toThrow('process died');
    expect((await pipeline.job(job.id)).state).toBe('checking-backup');
    expect(pipeline.queue.peek().filter((queued) => queued.queue === 'check-backup')).toHaveLength(1);
  });

  it('emits upgrade.queued again on a retried create while the job is untouched', async () => {
    // Prepare: the first request's event could not be sent
    const { pipeline, callbackUrl, failNext, request } = await createdWithCallback({ failFirstEvent: true });
    const [stored] = await pipeline.jobs.list({});
    failNext([]);
    // Act
    const again = await pipeline.create(request);
    // Assess
    expect(again).toMatchObject({ created: false, job: { id: stored?.id } });
    const delivery = await pipeline.webhooks.deliveries.get(
      deliveryId(`${stored?.id}:0`, { url: callbackUrl }),
    );
    expect(delivery?.eventType).toBe('upgrade.queued');
  });

  it('emits upgrade.cancelled again on a retried cancel of a job the first cancel ended', async () => {
    // Prepare: the cancel commits, then its event cannot be sent
    const { pipeline, job, callbackUrl, failNext } = await createdWithCallback();
    failNext(['notify']);
    await expect(pipeline.cancel({ jobId: job.id })).rejects.toThrow('process died');
    // Act
    const retried = pipeline.cancel({ jobId: job.id });
    // Assess
    await expect(retried).rejects.toThrow('already cancelled');
    const delivery = await pipeline.webhooks.deliveries.get(deliveryId(`${job.id}:1`, { url: callbackUrl }));
    expect(delivery?.eventType).toBe('upgrade.cancelled');
  });
});

/** A job created with a callback URL, and a way to make the next sends to some queues fail. */
async function createdWithCallback(options: { failFirstEvent?: boolean } = {}) {
  const pipeline = createPipeline();
  await pipeline.addCluster('prod-1', { installed: '3.18.2', platformVersion: '4.0.0' });
  const callbackUrl = 'https://hooks.example.com/job';
  const request = { cluster: 'prod-1', targetVersion: '4.2.1', callbackUrl, idempotencyKey: 'k1' };
  const send = pipeline.queue.send.bind(pipeline.queue);
  let failing = new Set<string>(options.failFirstEvent ? ['notify'] : []);
  pipeline.queue.send = (queue, sent, sendOptions) => {
    if (!failing.delete(queue)) return send(queue, sent, sendOptions);
    return Promise.reject(new Error('process died'));
  };
  const created = await pipeline.create(request).catch(() => undefined);
  const failNext = (queues: string[]) => {
    failing = new Set(queues);
  };
  return { pipeline, job: created?.job as AnyJob, callbackUrl, failNext, request };
}
