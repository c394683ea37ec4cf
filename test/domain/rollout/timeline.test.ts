import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isOpen } from '#domain/rollout/maintenance-window.ts';
import { parseWindowText } from '#domain/rollout/maintenance-window-text.ts';
import { predictTimeline, type TimelineWave } from '#domain/rollout/timeline.ts';

const start = new Date('2026-03-02T10:00:00Z'); // a Monday
const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000).toISOString();

function wave(
  index: number,
  seconds: number[],
  maxConcurrency: number,
  extra: Partial<TimelineWave> = {},
): TimelineWave {
  return {
    index,
    label: `wave ${index + 1}`,
    maxConcurrency,
    waitsForApproval: false,
    jobs: seconds.map((s, i) => ({ name: `w${index}c${i}`, seconds: s })),
    ...extra,
  };
}

describe('the predicted timeline', () => {
  it('fills the slots of each wave in order; the next wave starts once the bake is over', () => {
    // Act
    const timeline = predictTimeline([wave(0, [600, 600, 600, 600, 600], 2), wave(1, [1200], 1)], {
      start,
      bakeSeconds: 300,
    });
    // Assess
    const [first, second] = timeline.waves;
    expect(first?.jobs.map((job) => [job.startsAt.toISOString(), job.endsAt.toISOString()])).toEqual([
      [at(0), at(10)],
      [at(0), at(10)],
      [at(10), at(20)],
      [at(10), at(20)],
      [at(20), at(30)],
    ]);
    expect(first?.completesAt.toISOString()).toBe(at(35));
    expect(second?.startsAt.toISOString()).toBe(at(35));
    expect(timeline.completesAt.toISOString()).toBe(at(60));
  });

  it('starts no job outside the window and lets a running one finish after it closes', () => {
    // Prepare: Berlin 11:00-12:00 is 10:00-11:00 UTC in March
    const window = parseWindowText('Mon-Fri 11:00-12:00 Europe/Berlin');
    // Act
    const timeline = predictTimeline([wave(0, [2400, 2400, 2400], 1)], { start, bakeSeconds: 0, window });
    // Assess
    expect(
      timeline.waves[0]?.jobs.map((job) => [job.startsAt.toISOString(), job.endsAt.toISOString()]),
    ).toEqual([
      [at(0), at(40)],
      [at(40), at(80)],
      ['2026-03-03T10:00:00.000Z', '2026-03-03T10:40:00.000Z'],
    ]);
  });

  it('counts jobs already running from when they started', () => {
    // Prepare
    const running = { name: 'r', seconds: 600, startedAt: new Date(start.getTime() - 300_000) };
    // Act
    const timeline = predictTimeline(
      [{ ...wave(0, [600], 1), jobs: [running, { name: 'p', seconds: 600 }], startedAt: running.startedAt }],
      { start, bakeSeconds: 0 },
    );
    // Assess
    expect(timeline.waves[0]?.jobs.map((job) => job.endsAt.toISOString())).toEqual([at(5), at(15)]);
  });
});

const jobsArb = fc.array(fc.integer({ min: 60, max: 7200 }), { maxLength: 12 });
const wavesArb = fc.array(fc.tuple(jobsArb, fc.integer({ min: 1, max: 4 })), { minLength: 1, maxLength: 4 });

describe('timeline properties', () => {
  it('never runs more than maxConcurrency at once, starts only in the window, and keeps waves in order', () => {
    fc.assert(
      fc.property(wavesArb, fc.boolean(), fc.constantFrom(0, 600), (spec, windowed, bakeSeconds) => {
        const window = windowed ? parseWindowText('Mon-Fri 09:00-17:00 Europe/Berlin') : undefined;
        const waves = spec.map(([seconds, concurrency], index) => wave(index, seconds, concurrency));
        const timeline = predictTimeline(waves, { start, bakeSeconds, ...(window ? { window } : {}) });
        let previousEnd = start.getTime();
        for (const [index, predicted] of timeline.waves.entries()) {
          const limit = waves[index]?.maxConcurrency ?? 1;
          expect(predicted.startsAt.getTime()).toBeGreaterThanOrEqual(previousEnd);
          for (const job of predicted.jobs) {
            const overlapping = predicted.jobs.filter(
              (other) => other.startsAt <= job.startsAt && other.endsAt > job.startsAt,
            );
            expect(overlapping.length).toBeLessThanOrEqual(limit);
            if (window) expect(isOpen(window, job.startsAt)).toBe(true);
            expect(job.endsAt.getTime()).toBeLessThanOrEqual(predicted.jobsDoneAt.getTime());
          }
          expect(predicted.completesAt.getTime()).toBe(predicted.jobsDoneAt.getTime() + bakeSeconds * 1000);
          previousEnd = predicted.completesAt.getTime();
        }
        expect(timeline.completesAt.getTime()).toBe(previousEnd);
      }),
      { numRuns: 300 },
    );
  });
});
