import { describe, expect, it } from 'vitest';
import type { JobEvent, JobEventType } from '#domain/job-event.ts';
import { FakeClock } from '#test/fakes/clock.ts';
import { InMemoryEventLog } from '#test/fakes/event-log.ts';
import { RecordingMetrics } from '#test/fakes/metrics.ts';
import { FakeQueue } from '#test/fakes/queue.ts';
import { makeNotify, queueNotifier } from '#usecases/notify.ts';

const event = (index: number, type: JobEventType): JobEvent => ({
  id: `j1:${index}`,
  type,
  occurredAt: '2030-01-01T00:00:00.000Z',
  data: { jobId: 'j1', cluster: 'region1' },
});

describe('notify', () => {
  it('records each event in the event log and counts only the jobs’ outcomes', async () => {
    // Prepare
    const events = new InMemoryEventLog();
    const metrics = new RecordingMetrics();
    const queue = new FakeQueue(new FakeClock());
    const notify = makeNotify({ events, metrics, queue });
    const delivered = [
      event(0, 'upgrade.queued'),
      event(1, 'upgrade.validating'),
      event(2, 'upgrade.blocked'),
      event(2, 'upgrade.blocked'),
    ];
    // Act
    for (const each of delivered) await notify(each);
    // Assess
    expect((await events.forJob('j1')).map((e) => e.type)).toEqual([
      'upgrade.queued',
      'upgrade.validating',
      'upgrade.blocked',
    ]);
    expect(metrics.counts).toEqual(['JobsStarted', 'JobsBlocked', 'JobsBlocked']);
    expect(queue.sent).toEqual([]);
  });

  it('wakes the rollout of a batch when one of its jobs ends, and only then', async () => {
    // Prepare
    const queue = new FakeQueue(new FakeClock());
    const notify = makeNotify({ events: new InMemoryEventLog(), queue });
    const ofBatch = (index: number, type: JobEventType, state: string): JobEvent => ({
      ...event(index, type),
      data: { jobId: 'j1', cluster: 'region1', batchId: 'b1', state },
    });
    // Act
    await notify(ofBatch(1, 'upgrade.validating', 'validating'));
    await notify(ofBatch(2, 'upgrade.failed', 'failed'));
    // Assess
    expect(queue.sent.map(({ queue: name, message }) => [name, message])).toEqual([
      ['rollout', { batchId: 'b1', reason: 'job j1 failed' }],
    ]);
  });

  it('fails when the event log fails, so the queue redelivers the event', async () => {
    // Prepare
    const notify = makeNotify({
      events: { record: () => Promise.reject(new Error('table unavailable')) },
      queue: new FakeQueue(new FakeClock()),
    });
    // Act
    const recording = notify(event(1, 'upgrade.validating'));
    // Assess
    await expect(recording).rejects.toThrow('table unavailable');
  });

  it('has producers emit an event by sending it to the notify queue, and nowhere else', async () => {
    // Prepare
    const received: JobEvent[] = [];
    const queue = new FakeQueue(new FakeClock(), { notify: async (e: JobEvent) => void received.push(e) });
    // Act
    await queueNotifier(queue).emit(event(3, 'upgrade.uploading'));
    // Assess
    expect(received).toEqual([event(3, 'upgrade.uploading')]);
    expect(queue.sent).toEqual([]);
  });
});
