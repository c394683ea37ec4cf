import { describe, expect, it } from 'vitest';
import { batchRequestSchema } from '#domain/rollout/batch-request.ts';

function issues(input: unknown): string[] {
  const parsed = batchRequestSchema.safeParse(input);
  return (parsed.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

const base = { targetVersion: '4.2.1', clusters: ['a', 'b'], strategy: {} };

describe('the batch request', () => {
  it('fills in the strategy defaults: one wave, no failure tolerated, no bake, no approval', () => {
    // Act
    const request = batchRequestSchema.parse({ ...base, targetVersion: 'v4.2.1' });
    // Assess
    expect(request).toEqual({
      targetVersion: '4.2.1',
      clusters: ['a', 'b'],
      strategy: {
        failureBudget: { maxFailed: 0, countBlocked: false },
        bakeSeconds: 0,
        approval: 'none',
        skipBusy: false,
      },
      dryRun: false,
    });
  });

  it('takes every strategy field', () => {
    // Act
    const request = batchRequestSchema.parse({
      targetVersion: '4.2.1',
      selector: {
        matchLabels: { env: 'prod' },
        matchExpressions: [{ key: 'legacy', operator: 'DoesNotExist' }],
      },
      strategy: {
        canary: '10%',
        waveSize: 5,
        maxConcurrency: '50%',
        failureBudget: { maxFailed: '5%', countBlocked: true },
        bakeSeconds: 600,
        approval: 'after-canary',
        window: { days: ['Fri', 'Mon'], start: '01:00', end: '05:00', timeZone: 'Europe/Berlin' },
        unreachable: { mode: 'defer', retries: 2 },
        skipBusy: true,
      },
      options: { takeBackup: true },
      callbackUrl: 'https://hooks.example.com/rollouts',
      name: 'redis 4.2.1 to prod',
      dryRun: true,
    });
    // Assess
    expect(request.strategy).toMatchObject({
      canary: '10%',
      waveSize: 5,
      window: { days: ['Mon', 'Fri'] },
      unreachable: { mode: 'defer', retries: 2, retryDelaySeconds: 300 },
    });
  });

  it.each([
    [
      { ...base, clusters: undefined },
      'clusters: give exactly one of clusters (a list of names) and selector',
    ],
    [{ ...base, selector: {} }, 'selector: give exactly one of clusters (a list of names) and selector'],
    [{ ...base, clusters: [] }, 'clusters: must name at least one cluster'],
    [{ ...base, clusters: ['a', 'b', 'a'] }, 'clusters: names a more than once'],
    [{ ...base, clusters: ['Not_A_Name'] }, 'clusters.0: must be a lower-case DNS name'],
    [{ ...base, targetVersion: 'latest' }, 'targetVersion: "latest" is not a semantic version (e.g. 4.1.1)'],
    [{ ...base, strategy: undefined }, 'strategy: '],
    [{ ...base, strategy: { waveSize: 2, waves: [{}] } }, 'strategy.waves: give either waveSize or waves'],
    [{ ...base, strategy: { waves: [] } }, 'strategy.waves: must list at least one selector'],
    [
      { ...base, strategy: { approval: 'after-canary' } },
      'strategy.approval: "after-canary" needs a canary: set strategy.canary',
    ],
    [
      { ...base, strategy: { approval: 'sometimes' } },
      'strategy.approval: "sometimes" is not an approval mode (use none, after-canary, each-wave)',
    ],
    [
      { ...base, strategy: { canary: '0%' } },
      'strategy.canary: 0% is not a whole percentage from 1% to 100%',
    ],
    [{ ...base, strategy: { maxConcurrency: 0 } }, 'strategy.maxConcurrency: 0 must be a whole number >= 1'],
    [
      { ...base, strategy: { failureBudget: { maxFailed: -1 } } },
      'strategy.failureBudget.maxFailed: -1 must be a whole number >= 0',
    ],
    [
      { ...base, strategy: { failureBudget: { maxfailed: 1 } } },
      'strategy.failureBudget: Unrecognized key: "maxfailed"',
    ],
    [{ ...base, strategy: { bakeSeconds: 1.5 } }, 'strategy.bakeSeconds: must be a whole number of seconds'],
    [{ ...base, strategy: { bakeSeconds: -5 } }, 'strategy.bakeSeconds: must not be negative'],
    [
      { ...base, strategy: { window: { days: ['Mon'], start: '25:00', end: '05:00', timeZone: 'UTC' } } },
      'strategy.window.start: "25:00" is not a time of day',
    ],
    [{ ...base, strategy: { unreachable: { mode: 'skip' } } }, 'strategy.unreachable.mode: must be "defer"'],
    [{ ...base, strategy: { skipbusy: true } }, 'strategy: Unrecognized key: "skipbusy"'],
    [{ ...base, callbackUrl: 'ftp://example.com' }, 'callbackUrl: must be an http(s) URL'],
    [{ ...base, name: '   ' }, 'name: '],
  ])('refuses %j naming the field', (input, expected) => {
    // Act / Assess
    expect(issues(input).join('\n')).toContain(expected);
  });
});
