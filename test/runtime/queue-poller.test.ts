import { createHash } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '#adapters/local/sqlite-database.ts';
import { SqliteQueue } from '#adapters/local/sqlite-queue.ts';
import { QueuePoller, type SqsBatchHandler } from '#runtime/queue-poller.ts';
import { useTempDirs } from '#test/adapters/local/support/temp-dir.ts';
import { RecordingLog } from '#test/fakes/log.ts';

const tempDir = useTempDirs();
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  queue: SqliteQueue;
  events: SQSEvent[];
  poller: QueuePoller;
}

async function setup(
  handler: (event: SQSEvent, call: number) => ReturnType<SqsBatchHandler>,
  options: {
    visibilityTimeoutSeconds?: number;
    maxReceiveCount?: number;
    concurrency?: number;
    batchSize?: number;
    pollIntervalMs?: number;
    batchingWindowMs?: number;
  } = {},
): Promise<Setup> {
  const db: DatabaseSync = openDatabase(await tempDir());
  const queue = new SqliteQueue(db, { maxReceiveCount: options.maxReceiveCount ?? 5 });
  const events: SQSEvent[] = [];
  const poller = new QueuePoller({
    queue,
    queueName: 'verify',
    handler: (event) => {
      events.push(event);
      return handler(event, events.length);
    },
    batchSize: options.batchSize ?? 10,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 0.3,
    concurrency: options.concurrency ?? 1,
    pollIntervalMs: options.pollIntervalMs ?? 20,
    batchingWindowMs: options.batchingWindowMs ?? 0,
    logger: new RecordingLog(),
  });
  cleanups.push(() => db.close());
  cleanups.push(() => poller.stop());
  return { queue, events, poller };
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const bodies = (event: SQSEvent | undefined) => event?.Records.map((r) => r.body) ?? [];

describe('QueuePoller', () => {
  it('delivers a batch in the Lambda SQS event shape', async () => {
    const { queue, events, poller } = await setup(async () => undefined);
    const before = Date.now();
    const id = queue.send('verify', '{"jobId":"j1","stage":"verify","hop":0,"seq":3}');

    poller.start();
    await until(() => events.length === 1);

    const record = events[0]?.Records[0];
    expect(record).toEqual({
      messageId: id,
      receiptHandle: expect.any(String),
      body: '{"jobId":"j1","stage":"verify","hop":0,"seq":3}',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        SenderId: '000000000000',
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5')
        .update(record?.body ?? '')
        .digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:local:000000000000:redis-upgrader-verify',
      awsRegion: 'local',
    });
    expect(Number(record?.attributes.SentTimestamp)).toBeGreaterThanOrEqual(before);
  });

  it('deletes a batch the handler accepted', async () => {
    const { queue, events, poller } = await setup(async () => ({ batchItemFailures: [] }));
    queue.send('verify', 'a');
    queue.send('verify', 'b');

    poller.start();
    await until(() => events.length === 1);
    await poller.stop();

    expect(bodies(events[0])).toEqual(['a', 'b']);
    expect(queue.depth('verify')).toEqual({ visible: 0, invisible: 0, deadLetters: 0 });
  });

  it('retries only the listed items after the visibility timeout, deleting the rest', async () => {
    const { queue, events, poller } = await setup(async (event, call) => {
      const failed = call === 1 ? event.Records.filter((r) => r.body === 'b') : [];
      return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };
    });
    queue.send('verify', 'a');
    queue.send('verify', 'b');
    queue.send('verify', 'c');

    poller.start();
    await until(() => events.length === 2);
    const retriedAfterMs = Date.now();

    expect(bodies(events[0])).toEqual(['a', 'b', 'c']);
    expect(bodies(events[1])).toEqual(['b']);
    expect(events[1]?.Records[0]?.attributes.ApproximateReceiveCount).toBe('2');
    expect(
      retriedAfterMs - Number(events[0]?.Records[0]?.attributes.ApproximateFirstReceiveTimestamp),
    ).toBeGreaterThanOrEqual(290);
    await until(() => queue.depth('verify').invisible === 0);
  });

  it('retries the whole batch when the handler throws', async () => {
    const { queue, events, poller } = await setup(async (_event, call) => {
      if (call === 1) throw new Error('boom');
      return undefined;
    });
    queue.send('verify', 'a');
    queue.send('verify', 'b');

    poller.start();
    await until(() => events.length === 2);

    expect(bodies(events[1])).toEqual(['a', 'b']);
    expect(events[1]?.Records.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['2', '2']);
  });

  it.each([
    ['an unknown itemIdentifier', { batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] }],
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a misspelled key', { batchItemFailures: [{ itemId: 'x' }] }],
    ['a non-object answer', 'ok'],
  ])('retries the whole batch on %s, as Lambda does', async (_name, answer) => {
    const { queue, events, poller } = await setup(async (_event, call) =>
      call === 1 ? (answer as unknown as SQSBatchResponse) : undefined,
    );
    queue.send('verify', 'a');
    queue.send('verify', 'b');

    poller.start();
    await until(() => events.length === 2);

    expect(bodies(events[1])).toEqual(['a', 'b']);
  });

  it('dead-letters a message that keeps failing after maxReceiveCount receives', async () => {
    const { queue, events, poller } = await setup(
      async () => {
        throw new Error('always');
      },
      { maxReceiveCount: 2, visibilityTimeoutSeconds: 0.05 },
    );
    queue.send('verify', 'poison');

    poller.start();
    await until(() => queue.depth('verify').deadLetters === 1);

    expect(events).toHaveLength(2);
    expect(queue.deadLetters('verify')).toEqual([
      expect.objectContaining({ body: 'poison', receiveCount: 2 }),
    ]);
  });

  it('runs up to `concurrency` batches at once', async () => {
    let inFlight = 0;
    let peak = 0;
    const { queue, events, poller } = await setup(
      async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 100));
        inFlight--;
        return undefined;
      },
      { concurrency: 3, batchSize: 1, visibilityTimeoutSeconds: 5 },
    );
    for (let i = 0; i < 6; i++) queue.send('verify', `m${i}`);

    poller.start();
    await until(() => events.length === 6 && inFlight === 0);

    expect(peak).toBe(3);
  });

  it('lets an in-flight batch finish when stopped, and then delivers nothing more', async () => {
    let release: () => void = () => undefined;
    const { queue, events, poller } = await setup(
      () =>
        new Promise((resolve) => {
          release = () => resolve(undefined);
        }),
      { visibilityTimeoutSeconds: 5 },
    );
    queue.send('verify', 'first');
    poller.start();
    await until(() => events.length === 1);

    const stopped = poller.stop();
    queue.send('verify', 'after stop');
    release();
    await stopped;
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(events).toHaveLength(1);
    expect(queue.depth('verify')).toEqual({ visible: 1, invisible: 0, deadLetters: 0 });
  });

  it('wakes on a send instead of waiting for the next poll', async () => {
    const { queue, events, poller } = await setup(async () => undefined, { pollIntervalMs: 5000 });
    poller.start();
    await new Promise((resolve) => setTimeout(resolve, 30));

    const sentAt = Date.now();
    queue.send('verify', 'x');
    await until(() => events.length === 1);

    expect(Date.now() - sentAt).toBeLessThan(1000);
  });

  it('waits its batching window for more messages, and no longer than the window or a full batch', async () => {
    // Prepare: a 400 ms window, batches of 3
    const { queue, events, poller } = await setup(async () => undefined, {
      batchingWindowMs: 400,
      batchSize: 3,
      pollIntervalMs: 5000,
      visibilityTimeoutSeconds: 30,
    });
    poller.start();
    await new Promise((resolve) => setTimeout(resolve, 30));
    // Act: one message, a second 100 ms later; then four at once
    const firstAt = Date.now();
    queue.send('verify', 'a');
    await new Promise((resolve) => setTimeout(resolve, 100));
    queue.send('verify', 'b');
    await until(() => events.length === 1);
    const firstBatchAfter = Date.now() - firstAt;
    for (const body of ['c', 'd', 'e', 'f']) queue.send('verify', body);
    await until(() => events.length === 3);
    // Assess: a and b together once the window closed; c-e at once (full), f after its own window
    expect(bodies(events[0])).toEqual(['a', 'b']);
    expect(firstBatchAfter).toBeGreaterThanOrEqual(390);
    expect(bodies(events[1])).toEqual(['c', 'd', 'e']);
    expect(bodies(events[2])).toEqual(['f']);
  });
});
