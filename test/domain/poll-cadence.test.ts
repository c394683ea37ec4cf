import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ActiveJob } from '#domain/job.ts';
import { recordWait } from '#domain/job-progress.ts';
import {
  lowerQuartile,
  POLL_BACKOFF_CAP,
  pollDelaySeconds,
  WATCHED_WAIT_POLLS,
  watchedDelaySeconds,
} from '#domain/poll-cadence.ts';
import { testCatalog } from '#test/fakes/catalog.ts';
import { jobAt } from '#test/fakes/jobs.ts';

const at = new Date('2026-03-01T12:00:00Z');
const later = (seconds: number) => new Date(at.getTime() + seconds * 1000);
const patching = () =>
  jobAt('patching', {
    catalog: testCatalog(),
    cluster: 'c1',
    from: '3.18.2',
    to: '4.2.1',
    platform: '4.0.0',
    at,
  });
const NOT_SYNCED = 'PackageManifest does not offer redis-operator.v4.2.1 yet';

/** The delays of `reasons.length` polls in a row, each recorded as the stage runner does. */
function delays(reasons: string[], cadence: { pollSeconds: number; expectedSeconds?: number }): number[] {
  let job: ActiveJob = patching();
  return reasons.map((reason) => {
    const delay = pollDelaySeconds(job, reason, at, cadence);
    job = recordWait(job, { at, reason });
    return delay;
  });
}

describe('poll cadence', () => {
  it.each([
    [
      'the same answer backs off, doubling up to the cap',
      [NOT_SYNCED, NOT_SYNCED, NOT_SYNCED, NOT_SYNCED, NOT_SYNCED],
      [30, 60, 120, 240, 240],
    ],
    [
      'a new answer starts again at the poll',
      [NOT_SYNCED, NOT_SYNCED, NOT_SYNCED, 'InstallPlan is Planning', 'InstallPlan is Planning'],
      [30, 60, 120, 30, 60],
    ],
  ])('%s', (_label, reasons, expected) => {
    // Act
    const got = delays(reasons, { pollSeconds: 30 });
    // Assess
    expect(got).toEqual(expected);
  });

  it('checks first when the stage usually is done, never sooner than its poll, then backs off from the poll', () => {
    // Prepare
    const job = patching();
    // Act
    const first = pollDelaySeconds(job, NOT_SYNCED, later(100), { pollSeconds: 30, expectedSeconds: 900 });
    const late = pollDelaySeconds(job, NOT_SYNCED, later(890), { pollSeconds: 30, expectedSeconds: 900 });
    const second = delays([NOT_SYNCED, NOT_SYNCED], { pollSeconds: 30, expectedSeconds: 900 });
    // Assess
    expect(first).toBe(800);
    expect(late).toBe(30);
    expect(second).toEqual([900, 60]);
  });

  it('never waits less than the poll nor more than the cap times it after the first check', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.array(fc.constantFrom('a', 'b'), { minLength: 2, maxLength: 30 }),
        (poll, reasons) => {
          const got = delays(reasons, { pollSeconds: poll }).slice(1);
          return got.every((delay) => delay >= poll && delay <= poll * POLL_BACKOFF_CAP);
        },
      ),
    );
  });

  it.each([
    { seconds: [], expected: undefined },
    { seconds: [70], expected: 70 },
    { seconds: [100, 400, 200, 300], expected: 100 },
    { seconds: [500, 50, 60, 70, 80], expected: 60 },
  ])('expects a wait at the lower quartile of $seconds', ({ seconds, expected }) => {
    expect(lowerQuartile(seconds)).toBe(expected);
  });
});

describe('watched waits', () => {
  it.each([
    {
      delay: 30,
      poll: 30,
      left: 1800,
      expected: 30 * WATCHED_WAIT_POLLS,
      why: 'the safety net, not the poll',
    },
    { delay: 1200, poll: 30, left: 1800, expected: 1200, why: 'a longer learned delay stays' },
    { delay: 30, poll: 30, left: 200, expected: 200, why: 'never past the deadline' },
    { delay: 30, poll: 30, left: -5, expected: 30, why: 'a passed deadline is checked at the poll' },
  ])('$why', ({ delay, poll, left, expected }) => {
    expect(watchedDelaySeconds(delay, { pollSeconds: poll, secondsLeft: left })).toBe(expected);
  });

  it('is never sooner than the poll nor later than the safety net or the deadline', () => {
    fc.assert(
      fc.property(
        fc.nat(10_000),
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: -100, max: 10_000 }),
        (delay, poll, left) => {
          const seconds = watchedDelaySeconds(delay, { pollSeconds: poll, secondsLeft: left });
          expect(seconds).toBeGreaterThanOrEqual(poll);
          expect(seconds).toBeLessThanOrEqual(Math.max(poll, delay, poll * WATCHED_WAIT_POLLS));
          if (left >= poll) expect(seconds).toBeLessThanOrEqual(left);
        },
      ),
    );
  });
});
