import { describe, expect, it } from 'vitest';
import type { Batch } from '#domain/rollout/batch.ts';
import { classifyWake, timerToArm } from '#domain/rollout/rollout-timer.ts';

/** Only the version and the timer matter here. */
const batchAt = (version: number, timer?: Batch['timer']) =>
  ({ version, ...(timer ? { timer } : {}) }) as Batch;
const now = new Date('2026-03-02T10:00:00Z');
const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();

describe('classifyWake', () => {
  it.each([
    ['a wake without a timer number', batchAt(4, { seq: 3, at: at(1) }), {}, 'wake'],
    ['a timer sent before timers had a due time', batchAt(4), { seq: 2 }, 'wake'],
    ['the live timer', batchAt(7, { seq: 3, at: at(1) }), { seq: 3, due: at(1) }, 'live'],
    ['a copy of a timer already handled', batchAt(7, { seq: 5, at: at(2) }), { seq: 3, due: at(1) }, 'stale'],
    ['a timer when none is live', batchAt(7), { seq: 6, due: at(1) }, 'stale'],
    ['a timer whose arming commit has not landed', batchAt(7), { seq: 8, due: at(0) }, 'ahead'],
  ])('%s: %s', (_, batch, message, kind) => {
    expect(classifyWake(batch, message, now).kind).toBe(kind);
  });

  it('gives an ahead timer up once it is long overdue', () => {
    expect(classifyWake(batchAt(7), { seq: 8, due: at(-4) }, now)).toEqual({ kind: 'ahead', giveUp: false });
    expect(classifyWake(batchAt(7), { seq: 8, due: at(-6) }, now)).toEqual({ kind: 'ahead', giveUp: true });
  });
});

describe('timerToArm', () => {
  it.each([
    [
      'keeps a live timer due no later than the wake',
      batchAt(4, { seq: 3, at: at(1) }),
      at(2),
      false,
      undefined,
    ],
    ['arms an earlier one', batchAt(4, { seq: 3, at: at(5) }), at(2), false, { seq: 5, at: at(2) }],
    ['arms when none is live', batchAt(4), at(2), false, { seq: 5, at: at(2) }],
    [
      're-arms after consuming the live one',
      batchAt(4, { seq: 3, at: at(-1) }),
      at(2),
      true,
      { seq: 5, at: at(2) },
    ],
    [
      'clears a consumed timer when no wake is asked',
      batchAt(4, { seq: 3, at: at(-1) }),
      undefined,
      true,
      null,
    ],
    [
      'leaves things be when no wake is asked',
      batchAt(4, { seq: 3, at: at(1) }),
      undefined,
      false,
      undefined,
    ],
  ])('%s', (_, batch, wakeAt, consumed, expected) => {
    expect(timerToArm(batch, wakeAt, consumed)).toEqual(expected);
  });
});
