import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeStageBatchHandler } from '#runtime/stage-batch-handler.ts';
import type { StageMessage } from '#shared/ports.ts';
import { RecordingLog } from '#test/fakes/log.ts';

function event(bodies: string[]): SQSEvent {
  return {
    Records: bodies.map((body, index) => ({
      messageId: `m${index}`,
      receiptHandle: `r${index}`,
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'x',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:local:000000000000:redis-upgrader-verify',
      awsRegion: 'local',
    })),
  };
}

const message = (jobId: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ jobId, stage: 'verify', hop: 0, seq: 4, ...extra });

describe('makeStageBatchHandler', () => {
  it('hands every message to the stage whole and reports only the failed ones', async () => {
    const seen: StageMessage[] = [];
    const handler = makeStageBatchHandler(
      'verify',
      async (m) => {
        seen.push(m);
        if (m.jobId === 'bad') throw new Error('cluster unreachable');
      },
      new RecordingLog(),
    );

    const response = await handler(event([message('a', { id: 'send-1' }), message('bad'), message('c')]));

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
    const log = new RecordingLog();
    const handler = makeStageBatchHandler('verify', async () => undefined, log);

    const response = await handler(
      event([
        'not json',
        JSON.stringify({ jobId: 'x' }),
        JSON.stringify({ jobId: 'x', stage: 'validate', hop: 0, seq: 1 }),
      ]),
    );

    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m0', 'm1', 'm2']);
    expect(log.lines.filter((line) => line.level === 'error')).toHaveLength(3);
  });
});
