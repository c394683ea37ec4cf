import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ESTIMATE_MARGIN, expectedSeconds, fleetBudget, type SizeRun } from '../../bench/fleet-budget.ts';

describe('expectedSeconds', () => {
  it.each([
    { case: 'nothing run yet', runs: [], clusters: 10, expected: undefined },
    // One run says nothing of what a cluster adds.
    {
      case: 'after the baseline alone',
      runs: [{ clusters: 1, seconds: 19 }],
      clusters: 10,
      expected: undefined,
    },
    // 2 s more for 99 clusters more: 2/99 s a cluster, half again, for 900 clusters past 100.
    {
      case: 'after two sizes',
      runs: [
        { clusters: 1, seconds: 20 },
        { clusters: 100, seconds: 22 },
      ],
      clusters: 1000,
      expected: 22 + ESTIMATE_MARGIN * (2 / 99) * 900,
    },
    // A larger fleet that ran faster than the baseline adds nothing per cluster.
    {
      case: 'a faster larger fleet',
      runs: [
        { clusters: 1, seconds: 5 },
        { clusters: 10, seconds: 4 },
      ],
      clusters: 100,
      expected: 4,
    },
  ])('$case', ({ runs, clusters, expected }) => {
    const estimate = expectedSeconds(runs, clusters);
    if (expected === undefined) expect(estimate).toBeUndefined();
    else expect(estimate).toBeCloseTo(expected, 9);
  });

  it('never expects a larger fleet to take less than the largest run so far', () => {
    const run = fc.record({
      clusters: fc.integer({ min: 1, max: 1000 }),
      seconds: fc.double({ min: 0, max: 1e3, noNaN: true }),
    });
    fc.assert(
      fc.property(
        fc.array(run, { minLength: 2, maxLength: 5 }),
        fc.integer({ min: 0, max: 5000 }),
        (runs, more) => {
          // Prepare: distinct sizes in ascending order, as a measurement runs them.
          const ascending = [...new Map(runs.map((r) => [r.clusters, r])).values()].sort(
            (a, b) => a.clusters - b.clusters,
          );
          fc.pre(ascending.length >= 2);
          const last = ascending.at(-1) as SizeRun;
          // Act / Assess
          expect(expectedSeconds(ascending, last.clusters + more)).toBeGreaterThanOrEqual(
            last.seconds - 1e-9,
          );
        },
      ),
    );
  });
});

describe('fleetBudget', () => {
  it('runs the first two sizes whatever is left, and a larger one only while its estimate fits', () => {
    // Prepare: a 600 s budget on a clock the test moves.
    let now = 0;
    const budget = fleetBudget(600, () => now);
    const baseline = { clusters: 1, seconds: 20 };
    // Act / Assess: with the budget spent, the first two sizes still run.
    now = 700;
    expect(budget.skip([], 1)).toBeUndefined();
    expect(budget.skip([baseline], 10)).toBeUndefined();
    // 10 clusters took 29 s: 1 s a cluster, so 100 clusters are expected to take 29 + 1.5 x 90 s.
    const runs = [baseline, { clusters: 10, seconds: 29 }];
    now = 100;
    expect(budget.skip(runs, 100)).toBeUndefined();
    now = 500;
    expect(budget.skip(runs, 100)).toEqual({ clusters: 100, expectedSeconds: 164, leftSeconds: 100 });
  });
});
