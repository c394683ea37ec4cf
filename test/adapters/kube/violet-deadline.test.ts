/**
 * violet gets a deadline, not a duration: a run may last until the end of the invocation that
 * carries its pushes, less the margin kept to record the outcome, and never longer than its
 * budget. A push that finds too little of its invocation left does not start violet: it fails
 * transiently (the job waits and the next delivery pushes), so a hung violet can no longer run
 * into the Lambda timeout, which would fail the whole batch.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { VioletUploader, type VioletUploaderOptions } from '#adapters/kube/violet-uploader.ts';
import { batchHandler, invocationDeadline, recordProcessor } from '#adapters/record-processor.ts';
import { TransientError } from '#domain/errors.ts';
import type { StageMessage } from '#shared/ports.ts';
import { FakeClock } from '#test/fakes/clock.ts';
import { RecordingLog } from '#test/fakes/log.ts';
import { FakeQueue } from '#test/fakes/queue.ts';
import { sqsEvent } from '#test/fakes/sqs-records.ts';
import { CONSUMERS } from '#usecases/consumers.ts';

let dir: string | undefined;

afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A violet that hangs, noting each start in a file. */
async function hungViolet(): Promise<{ violet: string; starts: () => Promise<number> }> {
  dir = await mkdtemp(join(tmpdir(), 'violet-deadline-'));
  const violet = join(dir, 'violet');
  const startsFile = join(dir, 'starts');
  await writeFile(violet, `#!/bin/sh\necho started >> "${startsFile}"\nexec sleep 600\n`);
  await chmod(violet, 0o755);
  const starts = async () =>
    (await readFile(startsFile, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
  return { violet, starts };
}

function uploader(violet: string, options: Partial<VioletUploaderOptions> = {}) {
  return new VioletUploader({
    violet,
    timeoutMs: 1_000,
    deadline: invocationDeadline,
    target: async (cluster) => ({ address: 'https://acp.invalid', token: 't0ken', cluster: cluster.name }),
    ...options,
  });
}

/**
 * An upload consumer whose handling pushes one package to the message's cluster, `lateMs` later
 * for the second message, as a record whose download took longer would; every outcome is kept.
 */
function pushingHandler(push: (cluster: string) => Promise<void>, lateMs: number) {
  const outcomes = new Map<string, { error: unknown; atMs: number }>();
  const started = performance.now();
  const handle = async (message: StageMessage) => {
    if (message.jobId === 'second') await sleep(lateMs);
    const error = await push(message.jobId).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    outcomes.set(message.jobId, { error, atMs: performance.now() - started });
  };
  const clock = new FakeClock();
  const consumer = {
    name: 'upload-package',
    row: CONSUMERS['upload-package'],
    handle,
    queue: new FakeQueue(clock),
  };
  return { handler: batchHandler(recordProcessor(consumer, { clock, log: new RecordingLog() })), outcomes };
}

const body = (jobId: string) => JSON.stringify({ jobId, stage: 'upload-package', hop: 0, seq: 3 });
const lambdaContext = (remainingMs: number) => {
  const end = Date.now() + remainingMs;
  return { getRemainingTimeInMillis: () => end - Date.now() } as unknown as Context;
};

describe('violet within its invocation', () => {
  it('ends two hung pushes of one package to one platform by the invocation’s end, the later one never started', async () => {
    // Prepare: a 1 s budget and a Lambda invocation of 1 s with 200 ms kept for the commit
    const { violet } = await hungViolet();
    const violetUploader = uploader(violet, { marginMs: 200 });
    const { handler, outcomes } = pushingHandler(
      (cluster) => violetUploader.push('/pkg.tgz', { name: cluster, labels: {} }),
      300,
    );

    // Act
    await handler(sqsEvent([body('first'), body('second')], 'upload-package'), lambdaContext(1_000));

    // Assess: both settled before the invocation's end (it was 2.2 s: a fresh budget for the second)
    const first = outcomes.get('first');
    const second = outcomes.get('second');
    expect(first?.error).toBeInstanceOf(TransientError);
    expect(second?.error).toBeInstanceOf(TransientError);
    expect(Math.max(first?.atMs ?? Infinity, second?.atMs ?? Infinity)).toBeLessThan(1_000);
    expect(String(second?.error)).toMatch(
      /^TransientError: violet push to cluster second not started: .* of this invocation remain.*; the next delivery pushes it$/,
    );
    expect(String(first?.error)).toMatch(
      /cluster first failed: no answer within \d+ ms \(violet was stopped\)/,
    );
  });

  it('does not start violet for a record that arrives with too little time left: it waits for the next delivery', async () => {
    // Prepare: 400 ms of the invocation left, 100 ms of them kept, a run needs 500 ms
    const { violet, starts } = await hungViolet();
    const violetUploader = uploader(violet, { marginMs: 100, minRunMs: 500 });
    const { handler, outcomes } = pushingHandler(
      (cluster) => violetUploader.push('/pkg.tgz', { name: cluster, labels: {} }),
      0,
    );

    // Act
    await handler(sqsEvent([body('first')], 'upload-package'), lambdaContext(400));

    // Assess
    const { error, atMs } = outcomes.get('first') ?? {};
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(
      /^violet push to cluster first not started: \d+ ms of this invocation remain after the 100 ms kept to record the outcome, less than the 500 ms a run needs; the next delivery pushes it$/,
    );
    expect(atMs).toBeLessThan(100);
    expect(await starts()).toBe(0);
  });

  it('gives a run its budget when the invocation has more time than that, and no deadline outside one', async () => {
    // Prepare
    const { violet } = await hungViolet();
    const violetUploader = uploader(violet, { timeoutMs: 300, marginMs: 100 });
    const { handler, outcomes } = pushingHandler(
      (cluster) => violetUploader.push('/pkg.tgz', { name: cluster, labels: {} }),
      0,
    );

    // Act
    await handler(sqsEvent([body('first')], 'upload-package'), lambdaContext(60_000));
    const outside = await violetUploader.push('/pkg.tgz', { name: 'other', labels: {} }).catch((e) => e);

    // Assess
    expect(String(outcomes.get('first')?.error)).toMatch(/no answer within 300 ms/);
    expect((outside as Error).message).toMatch(/no answer within 300 ms/);
    expect(invocationDeadline()).toBeUndefined();
  });
});

describe('the invocation deadline', () => {
  it('is Lambda’s end on AWS and the batch’s start plus its budget on the local runtime', async () => {
    // Prepare
    const seen: (number | undefined)[] = [];
    const clock = new FakeClock();
    const consumer = {
      name: 'upload-package',
      row: CONSUMERS['upload-package'],
      handle: async () => {
        seen.push(invocationDeadline());
      },
      queue: new FakeQueue(clock),
    };
    const processRecord = recordProcessor(consumer, { clock, log: new RecordingLog() });

    // Act
    const before = Date.now();
    await batchHandler(processRecord)(sqsEvent([body('a')], 'upload-package'), lambdaContext(5_000));
    await batchHandler(processRecord, { budgetMs: 7_000 })(sqsEvent([body('b')], 'upload-package'));
    await batchHandler(processRecord)(sqsEvent([body('c')], 'upload-package'));
    const after = Date.now();

    // Assess
    expect(seen[0]).toBeGreaterThanOrEqual(before + 5_000);
    expect(seen[0]).toBeLessThanOrEqual(after + 5_000);
    expect(seen[1]).toBeGreaterThanOrEqual(before + 7_000);
    expect(seen[1]).toBeLessThanOrEqual(after + 7_000);
    expect(seen[2]).toBeUndefined();
  });
});
