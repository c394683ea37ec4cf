import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HISTORY_MAX_AGE_SECONDS,
  HISTORY_SLOTS,
  historyExpectation,
  historySlot,
  type WaitRecord,
} from '#domain/wait-history.ts';

const now = new Date('2026-03-08T12:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();
const record = (seconds: WaitRecord['seconds'], age = 3600): WaitRecord => ({ seconds, at: ago(age) });

describe('the wait history', () => {
  it('gives every job one slot of the history, the same for every record of it', () => {
    fc.assert(
      fc.property(fc.string(), (jobId) => {
        const slot = historySlot(jobId);
        return Number.isInteger(slot) && slot >= 0 && slot < HISTORY_SLOTS && slot === historySlot(jobId);
      }),
    );
  });

  it('spreads job ids over the slots', () => {
    // Prepare
    const ids = Array.from({ length: 400 }, (_, i) => `job-${i}`);
    // Act
    const used = new Set(ids.map(historySlot));
    // Assess
    expect(used.size).toBe(HISTORY_SLOTS);
  });

  it.each<[string, WaitRecord[], WaitRecord['seconds'] | undefined]>([
    ['nothing recorded', [], undefined],
    [
      'each stage at the lower quartile of the jobs that reported it',
      [
        record({ 'patch-subscription': 900, verify: 200 }),
        record({ 'patch-subscription': 600 }),
        record({ 'patch-subscription': 1200, verify: 100 }),
        record({ 'patch-subscription': 700, verify: 300 }),
      ],
      { 'patch-subscription': 600, verify: 100 },
    ],
    [
      'records older than the history keeps left out',
      [
        record({ verify: 900 }, HISTORY_MAX_AGE_SECONDS + 1),
        record({ verify: 240 }, HISTORY_MAX_AGE_SECONDS),
      ],
      { verify: 240 },
    ],
    [
      'only records older than that: nothing',
      [record({ verify: 900 }, HISTORY_MAX_AGE_SECONDS + 60)],
      undefined,
    ],
  ])('expects %s', (_name, records, expected) => {
    expect(historyExpectation(records, now)).toEqual(expected);
  });

  it('never expects a stage longer than its longest current record, nor shorter than its shortest', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ seconds: fc.nat(7200), age: fc.nat(HISTORY_MAX_AGE_SECONDS) }), {
          minLength: 1,
          maxLength: HISTORY_SLOTS,
        }),
        (samples) => {
          const got = historyExpectation(
            samples.map(({ seconds, age }) => record({ verify: seconds }, age)),
            now,
          )?.verify;
          const values = samples.map((sample) => sample.seconds);
          return got !== undefined && got >= Math.min(...values) && got <= Math.max(...values);
        },
      ),
    );
  });
});
