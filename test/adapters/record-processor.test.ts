import { describe, expect, it } from 'vitest';
import { batchHandler, type RecordConsumer, recordProcessor } from '#adapters/record-processor.ts';
import type { JobEvent } from '#domain/job-event.ts';
import type { StageMessage } from '#shared/ports.ts';
import { encodeQueueBody } from '#shared/queue-messages.ts';
import { FakeClock } from '#test/fakes/clock.ts';
import { RecordingLog } from '#test/fakes/log.ts';
import { RecordingMetrics } from '#test/fakes/metrics.ts';
import { FakeQueue } from '#test/fakes/queue.ts';
import { sqsEvent, sqsRecord } from '#test/fakes/sqs-records.ts';
import { CONSUMERS } from '#usecases/consumers.ts';

const message = (jobId: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ jobId, stage: 'verify', hop: 0, seq: 4, ...extra });

function verifyConsumer(handle: (m: StageMessage) => Promise<void>, clock = new FakeClock()) {
  const queue = new FakeQueue(clock);
  const consumer: RecordConsumer<StageMessage> = { name: 'verify', row: CONSUMERS.verify, handle, queue };
  return { consumer, queue, clock };
}

describe('the record processor both runtimes share', () => {
  it('hands every message to the consumer whole and reports only the failed ones', async () => {
    // Prepare
    const seen: StageMessage[] = [];
    const { consumer, clock } = verifyConsumer(async (m) => {
      seen.push(m);
      if (m.jobId === 'bad') throw new Error('cluster unreachable');
    });
    const handler = batchHandler(recordProcessor(consumer, { clock, log: new RecordingLog() }));
    // Act
    const response = await handler(sqsEvent([message('a', { id: 'send-1' }), message('bad'), message('c')]));
    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(seen.find((m) => m.jobId === 'a')).toEqual({
      jobId: 'a',
      stage: 'verify',
      hop: 0,
      seq: 4,
      id: 'send-1',
    });
  });

  it('fails records that are not stage messages of its own stage', async () => {
    // Prepare
    const log = new RecordingLog();
    const { consumer, clock } = verifyConsumer(async () => undefined);
    const handler = batchHandler(recordProcessor(consumer, { clock, log }));
    // Act
    const response = await handler(
      sqsEvent([
        'not json',
        JSON.stringify({ jobId: 'x' }),
        JSON.stringify({ jobId: 'x', stage: 'validate', hop: 0, seq: 1 }),
      ]),
    );
    // Assess
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m0', 'm1', 'm2']);
    expect(log.lines.filter((line) => line.level === 'error')).toHaveLength(3);
    expect(JSON.stringify(log.lines)).toContain('a validate message arrived on the verify queue');
  });

  it('sends a message back to its queue with the remaining delay while it is not due', async () => {
    // Prepare: a wait chained beyond SQS's 15-minute cap, 1000.5 s from now
    const handled: StageMessage[] = [];
    const { consumer, queue, clock } = verifyConsumer(async (m) => void handled.push(m));
    const notBefore = new Date(clock.now().getTime() + 1_000_500);
    const body = encodeQueueBody(JSON.parse(message('later')), notBefore);
    const metrics = new RecordingMetrics();
    // Act
    await recordProcessor(consumer, { clock, log: new RecordingLog(), metrics })(sqsRecord(body));
    // Assess
    expect(handled).toEqual([]);
    expect(queue.sent).toEqual([
      expect.objectContaining({ queue: 'verify', message: JSON.parse(message('later')), delaySeconds: 1001 }),
    ]);
    expect(metrics.counts).toEqual([]);
  });

  it('counts processed and failed messages and times each', async () => {
    // Prepare
    const { consumer, clock } = verifyConsumer(async (m) => {
      if (m.jobId === 'bad') throw new Error('no');
    });
    const metrics = new RecordingMetrics();
    const handler = batchHandler(recordProcessor(consumer, { clock, log: new RecordingLog(), metrics }));
    // Act
    await handler(sqsEvent([message('good'), message('bad')]));
    // Assess
    expect(metrics.counts.sort()).toEqual(['StageMessagesFailed', 'StageMessagesProcessed']);
    expect(metrics.timings).toEqual(['StageDuration', 'StageDuration']);
  });

  it('parses the notify queue as job events', async () => {
    // Prepare
    const events: JobEvent[] = [];
    const clock = new FakeClock();
    const consumer: RecordConsumer<JobEvent> = {
      name: 'notify',
      row: CONSUMERS.notify,
      handle: async (event) => void events.push(event),
      queue: new FakeQueue(clock),
    };
    const event = {
      id: 'j1:1',
      type: 'upgrade.validating',
      occurredAt: '2030-01-01T00:00:00.000Z',
      data: {},
    };
    const handler = batchHandler(recordProcessor(consumer, { clock, log: new RecordingLog() }));
    // Act
    const response = await handler(sqsEvent([JSON.stringify(event), message('not-an-event')], 'notify'));
    // Assess
    expect(events).toEqual([event]);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
  });
});
