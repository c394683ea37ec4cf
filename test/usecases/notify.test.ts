import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { SqliteDeliveryStore } from '#adapters/local/sqlite-deliveries.ts';
import { SqliteWebhookEndpoints } from '#adapters/local/sqlite-webhook-endpoints.ts';
import type { JobEvent, JobEventType } from '#domain/job-event.ts';
import { newJob } from '#domain/job-transitions.ts';
import { FakeClock } from '#test/fakes/clock.ts';
import { InMemoryJobStore } from '#test/fakes/job-store.ts';
import { RecordingMetrics } from '#test/fakes/metrics.ts';
import { FakeQueue } from '#test/fakes/queue.ts';
import { makeNotify } from '#usecases/notify.ts';

const event = (index: number, type: JobEventType): JobEvent => ({
  id: `j1:${index}`,
  type,
  occurredAt: '2030-01-01T00:00:00.000Z',
  data: { jobId: 'j1', cluster: 'region1' },
});

function notifyDeps() {
  const db = new DatabaseSync(':memory:');
  const clock = new FakeClock();
  const deps = {
    metrics: new RecordingMetrics(),
    jobs: new InMemoryJobStore(),
    webhookEndpoints: new SqliteWebhookEndpoints(db),
    deliveries: new SqliteDeliveryStore(db),
    queue: new FakeQueue(clock),
    clock,
  };
  return deps;
}

describe('notify', () => {
  it('counts only the jobs’ outcomes, and sends nothing for events nobody receives', async () => {
    // Prepare
    const deps = notifyDeps();
    const notify = makeNotify(deps);
    const delivered = [
      event(0, 'upgrade.queued'),
      event(1, 'upgrade.validating'),
      event(2, 'upgrade.blocked'),
      event(2, 'upgrade.blocked'),
    ];
    // Act
    for (const each of delivered) await notify(each);
    // Assess
    expect(deps.metrics.counts).toEqual(['JobsStarted', 'JobsBlocked', 'JobsBlocked']);
    expect(deps.queue.sent).toEqual([]);
  });

  it('fans a batch’s job’s end out to its receivers, leaving the rollout’s wake to the emitter', async () => {
    // Prepare
    const deps = notifyDeps();
    await deps.webhookEndpoints.create({
      id: 'ep1',
      url: 'https://a.example.com/',
      events: ['*'],
      createdAt: deps.clock.now().toISOString(),
      status: 'active',
    });
    const notify = makeNotify(deps);
    // Act
    await notify({
      ...event(2, 'upgrade.succeeded'),
      data: { jobId: 'j1', cluster: 'region1', batchId: 'b1', state: 'succeeded' },
    });
    // Assess
    expect(deps.queue.sent.map(({ queue: name }) => name)).toEqual(['webhook-delivery']);
  });

  it('fans an event out to the job’s callback URL and each subscribed endpoint, one delivery each, once', async () => {
    // Prepare
    const deps = notifyDeps();
    const job = newJob({
      id: 'j1',
      cluster: 'region1',
      targetVersion: '4.1.2',
      at: deps.clock.now(),
      callbackUrl: 'https://hooks.example.com/job',
    });
    await deps.jobs.create(job);
    const at = deps.clock.now().toISOString();
    await deps.webhookEndpoints.create({
      id: 'ep1',
      url: 'https://a.example.com/',
      events: ['upgrade.validating'],
      createdAt: at,
      status: 'active',
    });
    await deps.webhookEndpoints.create({
      id: 'ep2',
      url: 'https://b.example.com/',
      events: ['upgrade.succeeded'],
      createdAt: at,
      status: 'active',
    });
    await deps.webhookEndpoints.create({
      id: 'ep3',
      url: 'https://c.example.com/',
      events: ['*'],
      createdAt: at,
      status: 'disabled',
    });
    const notify = makeNotify(deps);
    // Act
    await notify(event(1, 'upgrade.validating'));
    const messages = deps.queue.sent.length;
    await notify(event(1, 'upgrade.validating'));
    // Assess
    expect(messages).toBe(2);
    const ids = new Set(
      deps.queue.sent.map((sent) => (sent.message as unknown as { deliveryId: string }).deliveryId),
    );
    expect(ids.size).toBe(2);
    const stored = await Promise.all([...ids].map((id) => deps.deliveries.get(id)));
    expect(stored.map((delivery) => delivery?.url).sort()).toEqual([
      'https://a.example.com/',
      'https://hooks.example.com/job',
    ]);
    expect(JSON.parse(stored[0]?.body ?? '{}')).toMatchObject({
      type: 'upgrade.validating',
      timestamp: '2030-01-01T00:00:00.000Z',
      data: { jobId: 'j1', cluster: 'region1', job: { id: 'j1', state: 'queued', targetVersion: '4.1.2' } },
    });
  });

  it('fails when the endpoints cannot be read, so the queue redelivers the event', async () => {
    // Prepare
    const deps = notifyDeps();
    const notify = makeNotify({
      ...deps,
      webhookEndpoints: {
        ...deps.webhookEndpoints,
        list: () => Promise.reject(new Error('table unavailable')),
      },
    });
    // Act
    const recording = notify(event(1, 'upgrade.validating'));
    // Assess
    await expect(recording).rejects.toThrow('table unavailable');
  });
});
