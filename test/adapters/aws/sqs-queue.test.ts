import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAwsClients } from '#adapters/aws/aws-clients.ts';
import { chunkForBatch, SqsQueue } from '#adapters/aws/sqs-queue.ts';
import { recordProcessor } from '#adapters/record-processor.ts';
import type { StageName } from '#domain/job.ts';
import type { StageMessage } from '#shared/ports.ts';
import { decodeQueueBody, stageMessageOn } from '#shared/queue-messages.ts';
import { RecordingLog } from '#test/fakes/log.ts';
import { sqsRecord } from '#test/fakes/sqs-records.ts';
import { CONSUMERS } from '#usecases/consumers.ts';
import { type AwsEmulators, startAwsEmulators, TEST_CREDENTIALS, TEST_REGION } from './support/emulators.ts';

const STAGES: StageName[] = ['validate', 'check-backup', 'upload-package', 'patch-subscription', 'verify'];

let aws: AwsEmulators;
let urls: Record<StageName, string>;
let now = new Date('2030-01-01T00:00:00.000Z');
const clock = { now: () => now };

beforeAll(async () => {
  aws = await startAwsEmulators();
  urls = Object.fromEntries(
    STAGES.map((stage) => [stage, aws.fauxqs.createQueue(`q-${stage}`).queueUrl]),
  ) as Record<StageName, string>;
});
afterAll(() => aws.stop());

const message = (jobId: string, stage: StageName = 'validate'): StageMessage => ({
  jobId,
  stage,
  hop: 0,
  seq: 1,
});

async function receiveAll(url: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const got = await aws.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
    );
    if (!got.Messages?.length) return bodies;
    bodies.push(...got.Messages.map((m) => m.Body ?? ''));
  }
}

describe('SqsQueue', () => {
  it('sends a stage message to that stage queue with the stage-message body (docs/architecture.md §4)', async () => {
    const queue = new SqsQueue({ client: aws.clients.sqs, urls, clock });

    await queue.send('verify', message('job-1', 'verify'));

    const bodies = await receiveAll(urls.verify);
    expect(bodies.map((body) => JSON.parse(body))).toEqual([
      { jobId: 'job-1', stage: 'verify', hop: 0, seq: 1 },
    ]);
  });

  it('sends 25 messages as batches of at most 10, one per stage queue', async () => {
    const client = makeAwsClients({
      region: TEST_REGION,
      credentials: TEST_CREDENTIALS,
      endpoints: aws.endpoints,
    }).sqs;
    const batchSizes: number[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { Entries?: unknown[] };
        if (input.Entries) batchSizes.push(input.Entries.length);
        return next(args);
      },
      { step: 'initialize' },
    );
    const queue = new SqsQueue({ client, urls, clock });
    const messages = Array.from({ length: 25 }, (_, index) => message(`batch-${index}`, 'check-backup'));

    await queue.sendMany(
      [...messages, message('other', 'upload-package')].map((m) => ({ queue: m.stage, message: m })),
    );

    expect(batchSizes).toEqual([10, 10, 5, 1]);
    expect((await receiveAll(urls['check-backup'])).length).toBe(25);
    expect((await receiveAll(urls['upload-package'])).length).toBe(1);
  });

  it('splits batches by total size as well as by count', () => {
    const big = { body: 'x'.repeat(100 * 1024) };

    const chunks = chunkForBatch([big, big, big, { body: 'small' }]);

    expect(chunks.map((chunk) => chunk.length)).toEqual([2, 2]);
  });

  it('delays a message by DelaySeconds up to 900 s', async () => {
    const queue = new SqsQueue({ client: aws.clients.sqs, urls, clock });

    await queue.send('patch-subscription', message('delayed', 'patch-subscription'), { delaySeconds: 120 });

    const state = aws.fauxqs.inspectQueue('q-patch-subscription');
    expect(state?.messages.delayed).toHaveLength(1);
    expect(state?.messages.ready).toHaveLength(0);
    expect(JSON.parse(state?.messages.delayed[0]?.body ?? '{}')).not.toHaveProperty('notBefore');
  });

  it('chains waits beyond 900 s: capped delay now, re-delayed on receipt until due', async () => {
    const queue = new SqsQueue({ client: aws.clients.sqs, urls, clock });
    const processed: StageMessage[] = [];
    const processRecord = recordProcessor(
      { name: 'validate', row: CONSUMERS.validate, handle: async (m) => void processed.push(m), queue },
      { clock, log: new RecordingLog() },
    );
    aws.fauxqs.reset();

    await queue.send('validate', message('long-wait'), { delaySeconds: 2000 });
    const sent = aws.fauxqs.inspectQueue('q-validate')?.messages.delayed[0]?.body ?? '';
    const first = decodeQueueBody(sent, CONSUMERS.validate.message, 'validate');
    await processRecord(sqsRecord(sent));
    const earlyResult = [...processed];
    now = new Date(now.getTime() + 2000 * 1000);
    await processRecord(sqsRecord(sent));

    expect(first.notBefore?.toISOString()).toBe('2030-01-01T00:33:20.000Z');
    expect(earlyResult).toEqual([]);
    const redelayed = aws.fauxqs.inspectQueue('q-validate')?.messages.delayed ?? [];
    expect(redelayed).toHaveLength(2);
    expect(
      decodeQueueBody(redelayed[1]?.body ?? '', CONSUMERS.validate.message, 'validate').notBefore,
    ).toEqual(first.notBefore);
    expect(processed).toEqual([message('long-wait')]);
  });

  it('carries the message id through send and receive, so redeliveries stay distinguishable', async () => {
    const queue = new SqsQueue({ client: aws.clients.sqs, urls, clock });
    aws.fauxqs.reset();

    await queue.send('validate', { ...message('with-id'), id: 'send-7' }, { delaySeconds: 60 });

    const body = aws.fauxqs.inspectQueue('q-validate')?.messages.delayed[0]?.body ?? '';
    expect(decodeQueueBody(body, CONSUMERS.validate.message, 'validate').message).toEqual({
      ...message('with-id'),
      id: 'send-7',
    });
  });

  it('refuses a malformed message body without guessing', () => {
    const decode = (body: string) => decodeQueueBody(body, stageMessageOn('validate'), 'validate');
    expect(() => decode('{"jobId":"x","stage":"teleport","hop":0,"seq":1}')).toThrow(/malformed/);
    expect(() => decode('not json')).toThrow(/not JSON/);
  });

  it('refuses a message over 256 KiB before calling SQS', async () => {
    const queue = new SqsQueue({ client: aws.clients.sqs, urls, clock });

    const sending = queue.send('validate', { ...message('x'.repeat(270_000)) });

    await expect(sending).rejects.toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
  });

  it('maps a missing queue onto NotFoundError with the SDK error as cause', async () => {
    const queue = new SqsQueue({
      client: aws.clients.sqs,
      urls: { ...urls, verify: `${aws.endpoints.sqs}/000000000000/does-not-exist` },
      clock,
    });

    const error = await queue.send('verify', message('lost', 'verify')).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: 'NOT_FOUND' });
    expect((error as Error).cause).toBeDefined();
  });
});
