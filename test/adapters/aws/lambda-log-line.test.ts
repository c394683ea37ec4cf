/**
 * A Lambda function's log line (shared/logger.ts UpgraderLogFormatter), read back from stdout as
 * CloudWatch would ingest it: what ties it to its invocation stays, what every line of the
 * function's log group would repeat goes.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { observability } from '#adapters/aws/lambda-observability.ts';
import { REDACTED } from '#shared/logger.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

const FUNCTION = 'redis-upgrader-PatchSubscription-AbCdEf123456';
const CONTEXT = {
  functionName: FUNCTION,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${FUNCTION}`,
  memoryLimitInMB: '512',
  awsRequestId: '6f8a2c1e-5b3d-4c7a-9e2f-1a2b3c4d5e6f',
  logGroupName: `/aws/lambda/${FUNCTION}`,
  logStreamName: '2026/12/03/[$LATEST]0123456789abcdef',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
} satisfies Context;

/** The raw lines written while `act` runs. */
function written(act: () => void): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  act();
  vi.restoreAllMocks();
  return lines;
}

const ATTRIBUTES = { jobId: 'job-1', stage: 'patch-subscription', waitingFor: 'the catalog sync' };

describe('a Lambda log line', () => {
  it('keeps the request id, cold start, function and attributes, and drops what the log group repeats', () => {
    // Prepare
    const { logger } = observability('patch-subscription');
    logger.addContext(CONTEXT);
    // Act
    const [line] = written(() => logger.info('waiting', { ...ATTRIBUTES, token: 'abc' }));
    // Assess
    const parsed = JSON.parse(line ?? '{}');
    expect(parsed).toMatchObject({
      level: 'INFO',
      message: 'waiting',
      service: 'redis-upgrader',
      cold_start: expect.any(Boolean),
      function_request_id: CONTEXT.awsRequestId,
      function: 'patch-subscription',
      ...ATTRIBUTES,
      token: REDACTED,
    });
    for (const key of ['function_arn', 'function_name', 'function_memory_size', 'sampling_rate']) {
      expect(parsed).not.toHaveProperty(key);
    }
  });

  it("is over 150 bytes shorter than Powertools' default line", () => {
    // Prepare
    const ours = observability('patch-subscription').logger;
    const defaults = new Logger({
      serviceName: 'redis-upgrader',
      persistentKeys: { function: 'patch-subscription' },
    });
    for (const logger of [ours, defaults]) logger.addContext(CONTEXT);
    // Act
    const [lean] = written(() => ours.info('waiting', ATTRIBUTES));
    const [full] = written(() => defaults.info('waiting', ATTRIBUTES));
    // Assess
    expect(JSON.parse(full ?? '{}')).toHaveProperty('function_arn', CONTEXT.invokedFunctionArn);
    expect((full?.length ?? 0) - (lean?.length ?? 0)).toBeGreaterThan(150);
  });
});
