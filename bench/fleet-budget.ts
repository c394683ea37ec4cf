/**
 * Which fleet sizes the fleet bench runs by default: the largest that fit in its time budget (10
 * minutes unless BENCH_FLEET_BUDGET_SECONDS says otherwise). Each measurement's first two sizes
 * always run: they draw the line the larger ones are estimated by (one run alone says nothing of
 * what a cluster adds: one cluster's 19 s at the production cadence are almost all waiting). A
 * larger size runs if what is left of the budget holds its estimate. Sizes named by their
 * environment variable always run: whoever names 1,000 means it.
 */
/** A size already run in the same measurement, and how long the run took (setup included). */
export interface SizeRun {
  clusters: number;
  seconds: number;
}

/**
 * Half again over the straight line: in-process on 2 cores 1,000 clusters took 0.9-1.2x what the
 * line through the smaller sizes predicts (three runs, 2026-12-02 and 03), and the load can rise
 * between sizes.
 */
export const ESTIMATE_MARGIN = 1.5;

/**
 * How long `clusters` should take after `runs` (ascending, two or more): the largest run's time
 * plus, per cluster more, what each cluster added between the first run and the largest, with
 * the margin. undefined with fewer than two sizes run.
 */
export function expectedSeconds(runs: readonly SizeRun[], clusters: number): number | undefined {
  const first = runs[0];
  const last = runs.at(-1);
  if (!first || !last || last.clusters <= first.clusters) return undefined;
  const perCluster = Math.max(0, (last.seconds - first.seconds) / (last.clusters - first.clusters));
  return last.seconds + ESTIMATE_MARGIN * perCluster * (clusters - last.clusters);
}

export interface Skipped {
  clusters: number;
  expectedSeconds: number;
  leftSeconds: number;
}

/** The bench's clock: whether a size fits in what is left of the budget. */
export function fleetBudget(totalSeconds: number, now: () => number = () => performance.now() / 1000) {
  const started = now();
  const left = () => totalSeconds - (now() - started);
  return {
    totalSeconds,
    /** undefined: run it; else why not. */
    skip(runs: readonly SizeRun[], clusters: number): Skipped | undefined {
      const expected = expectedSeconds(runs, clusters);
      const leftSeconds = left();
      if (expected === undefined || expected <= leftSeconds) return undefined;
      return { clusters, expectedSeconds: Math.round(expected), leftSeconds: Math.round(leftSeconds) };
    },
  };
}

export type FleetBudget = ReturnType<typeof fleetBudget>;
