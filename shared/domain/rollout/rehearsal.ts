/**
 * The rehearsal of a rollout (`dryRun: true`): from the planned waves and what a read of every
 * cluster said (the hops the planner gives it, or why it would block), the predicted timeline
 * with an ETA per wave, and the halts the strategy would call for. Nothing here reads a
 * cluster; the caller does, changing nothing.
 *
 * A job's predicted duration is a fixed overhead (validate, backup check) plus, per hop, the
 * median of the durations measured on earlier jobs for that very hop, or the configured
 * estimate when there are none. A cluster that would block takes the overhead only; one that
 * `skipBusy` would skip (it has an active job) starts no job at all and is never a failure, as in
 * the batch (#domain/rollout/batch.ts).
 */
import { needsApproval } from './batch.ts';
import type { Strategy } from './batch-request.ts';
import { resolveTolerance } from './quantity.ts';
import { nameList, plural } from './reason-text.ts';
import { predictTimeline, type TimelineWave } from './timeline.ts';
import type { PlannedWave } from './wave-plan.ts';

export interface HopSpan {
  from: string;
  to: string;
}

/**
 * What a read of the cluster predicts: the hops to the target (none: already there), a block, or
 * (busy under `skipBusy`) that the batch would skip it, and why.
 */
export type ClusterForecast =
  | { cluster: string; hops: HopSpan[] }
  | { cluster: string; blocked: string }
  | { cluster: string; skipped: string };

export interface HopSample extends HopSpan {
  seconds: number;
}

export interface DurationModel {
  /** Durations of hops on earlier jobs. */
  samples: readonly HopSample[];
  /** Used for a hop never measured. */
  estimateHopSeconds: number;
  /** Validate and backup check, once per job. */
  jobOverheadSeconds: number;
}

export interface RehearsedCluster {
  name: string;
  hops: HopSpan[];
  blocked?: string;
  seconds: number;
  /** Every hop's duration was measured (not the estimate). */
  measured: boolean;
  startsAt: string;
  endsAt: string;
}

export interface RehearsedWave {
  index: number;
  label: string;
  maxConcurrency: number;
  waitsForApproval: boolean;
  startsAt: string;
  jobsDoneAt: string;
  /** The wave's ETA: jobs done and bake over. */
  completesAt: string;
  clusters: RehearsedCluster[];
}

export interface Rehearsal {
  waves: RehearsedWave[];
  eta: string;
  /** What would stop the batch, and what the times assume. */
  notes: string[];
}

const hopKey = (hop: HopSpan) => `${hop.from}->${hop.to}`;

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** The median measured duration of each hop, by `from->to`. */
export function hopMedians(samples: readonly HopSample[]): Map<string, number> {
  const grouped = Map.groupBy(samples, hopKey);
  return new Map([...grouped].map(([key, group]) => [key, median(group.map((s) => s.seconds)) ?? 0]));
}

function jobEstimate(forecast: ClusterForecast, model: DurationModel, medians: Map<string, number>) {
  if (!('hops' in forecast)) return { seconds: model.jobOverheadSeconds, measured: true };
  const hops = forecast.hops.map((hop) => medians.get(hopKey(hop)));
  const seconds = hops.reduce<number>(
    (sum, hop) => sum + (hop ?? model.estimateHopSeconds),
    model.jobOverheadSeconds,
  );
  return { seconds, measured: hops.every((hop) => hop !== undefined) };
}

function haltNotes(
  waves: readonly PlannedWave[],
  forecasts: Map<string, ClusterForecast>,
  strategy: Strategy,
): string[] {
  const notes: string[] = [];
  const skipped = (name: string) => 'skipped' in (forecasts.get(name) ?? {});
  const upgrades = (name: string) => 'hops' in (forecasts.get(name) ?? {});
  const blocked = (name: string) => !upgrades(name) && !skipped(name);
  const canary = waves.find((wave) => wave.kind === 'canary');
  // A canary wave that upgrades none of its clusters proves nothing: the batch halts after it.
  if (canary && !canary.clusters.some(upgrades)) {
    const why = canary.clusters.every(blocked)
      ? 'block'
      : canary.clusters.every(skipped)
        ? 'be skipped'
        : 'block or be skipped';
    notes.push(
      `every canary would ${why} (${nameList(canary.clusters)}): the batch would halt after the canary wave`,
    );
  }
  const total = waves.reduce((sum, wave) => sum + wave.clusters.length, 0);
  const tolerated = resolveTolerance(strategy.failureBudget.maxFailed, total);
  const blockedInOrder = waves.flatMap((wave) => wave.clusters.filter(blocked));
  if (strategy.failureBudget.countBlocked && blockedInOrder.length > tolerated) {
    notes.push(
      `${blockedInOrder.length} clusters would block and blocked ones count against a budget of ${tolerated}: the batch would halt at ${blockedInOrder[tolerated]}`,
    );
  }
  return notes;
}

/** The clusters the batch would skip (they start no job, so the waves leave them out), and why. */
function skipNote(skips: ReadonlyMap<string, string>): string[] {
  if (skips.size === 0) return [];
  const named = nameList([...skips].map(([name, why]) => `${name} (${why})`));
  return [`${plural(skips.size, 'cluster', 'clusters')} would be skipped (strategy.skipBusy): ${named}`];
}

export interface RehearsalInput {
  waves: readonly PlannedWave[];
  forecasts: readonly ClusterForecast[];
  strategy: Strategy;
  durations: DurationModel;
  now: Date;
}

export function rehearse(input: RehearsalInput): Rehearsal {
  const { strategy, durations } = input;
  const forecasts = new Map(input.forecasts.map((forecast) => [forecast.cluster, forecast]));
  const medians = hopMedians(durations.samples);
  const skips = new Map(
    input.forecasts.flatMap((forecast) =>
      'skipped' in forecast ? [[forecast.cluster, forecast.skipped]] : [],
    ),
  );
  const estimates = new Map(
    input.forecasts.map((forecast) => [forecast.cluster, jobEstimate(forecast, durations, medians)]),
  );
  const timelineWaves: TimelineWave[] = input.waves.map((wave, index) => ({
    index,
    label: wave.label,
    maxConcurrency: wave.maxConcurrency,
    waitsForApproval: needsApproval(strategy, index),
    jobs: wave.clusters
      .filter((name) => !skips.has(name))
      .map((name) => ({
        name,
        seconds: estimates.get(name)?.seconds ?? durations.jobOverheadSeconds,
      })),
  }));
  const timeline = predictTimeline(timelineWaves, {
    start: input.now,
    bakeSeconds: strategy.bakeSeconds,
    ...(strategy.window ? { window: strategy.window } : {}),
  });
  const waves = timeline.waves.map(
    (wave, index): RehearsedWave => ({
      index: wave.index,
      label: wave.label,
      maxConcurrency: input.waves[index]?.maxConcurrency ?? 1,
      waitsForApproval: wave.waitsForApproval,
      startsAt: wave.startsAt.toISOString(),
      jobsDoneAt: wave.jobsDoneAt.toISOString(),
      completesAt: wave.completesAt.toISOString(),
      clusters: wave.jobs.map((job) => {
        const forecast = forecasts.get(job.name);
        const estimate = estimates.get(job.name);
        return {
          name: job.name,
          hops: forecast && 'hops' in forecast ? forecast.hops : [],
          ...(forecast === undefined
            ? { blocked: 'not read' }
            : 'blocked' in forecast
              ? { blocked: forecast.blocked }
              : {}),
          seconds: estimate?.seconds ?? durations.jobOverheadSeconds,
          measured: estimate?.measured ?? false,
          startsAt: job.startsAt.toISOString(),
          endsAt: job.endsAt.toISOString(),
        };
      }),
    }),
  );
  const approvals = waves.some((wave) => wave.waitsForApproval)
    ? ['times after a wave that waits for approval assume it is approved as soon as it may start']
    : [];
  return {
    waves,
    eta: timeline.completesAt.toISOString(),
    notes: [...haltNotes(input.waves, forecasts, strategy), ...skipNote(skips), ...approvals],
  };
}
