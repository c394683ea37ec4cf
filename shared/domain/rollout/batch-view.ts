/**
 * A batch as `GET /batches/{id}` shows it: counts per cluster state, the failure budget, each
 * wave with its clusters (state, hop, reason, duration) and an ETA per wave and for the batch.
 * ETAs take each cluster's predicted duration (from the rehearsal) or a configured estimate;
 * there is none while the batch is paused, halted or over, since then it waits on a person.
 */
import type { JobState } from '#domain/job.ts';
import {
  type Batch,
  type BatchCluster,
  type BatchWave,
  CLUSTER_STATES,
  type ClusterRolloutState,
  isRunning,
  needsApproval,
} from './batch.ts';
import { countedFailures, tolerance } from './failure-budget.ts';
import { nextOpening } from './maintenance-window.ts';
import { predictTimeline, type TimelineWave } from './timeline.ts';
import { waveConcurrency } from './wave-plan.ts';
import { clustersOf } from './wave-progress.ts';

export const WAVE_VIEW_STATES = ['pending', 'awaiting-approval', 'running', 'baking', 'completed'] as const;
export type WaveViewState = (typeof WAVE_VIEW_STATES)[number];

export interface ClusterView {
  name: string;
  state: ClusterRolloutState;
  attempt: number;
  jobId?: string;
  jobState?: JobState;
  /** e.g. `hop 2/3: 4.0.3 -> 4.1.1` */
  hop?: string;
  reason?: string;
  startedAt?: string;
  finishedAt?: string;
  durationSeconds?: number;
  retryAt?: string;
}

export interface WaveView extends Omit<BatchWave, 'clusters'> {
  state: WaveViewState;
  eta?: string;
  clusters: ClusterView[];
}

export interface BatchView extends Omit<Batch, 'waves' | 'clusters' | 'eventSeq' | 'timer' | 'waitSamples'> {
  counts: Record<ClusterRolloutState, number>;
  /** While the batch waits for its maintenance window: when the window next opens. */
  windowOpensAt?: string;
  failures: { counted: number; tolerated: number };
  waves: WaveView[];
  eta?: string;
}

export interface BatchViewOptions {
  /** Predicted duration of a job without a rehearsal estimate. */
  jobEstimateSeconds: number;
}

function hopText(cluster: BatchCluster): string | undefined {
  const { hop } = cluster;
  if (!hop) return undefined;
  const span = hop.from && hop.to ? `: ${hop.from} -> ${hop.to}` : '';
  return `hop ${hop.index + 1}/${hop.count}${span}`;
}

function clusterView(cluster: BatchCluster, now: Date): ClusterView {
  const end = cluster.finishedAt
    ? Date.parse(cluster.finishedAt)
    : isRunning(cluster.state)
      ? now.getTime()
      : undefined;
  const start = cluster.startedAt ? Date.parse(cluster.startedAt) : undefined;
  const hop = hopText(cluster);
  const optional = {
    jobId: cluster.jobId,
    jobState: cluster.jobState,
    hop,
    reason: cluster.reason,
    startedAt: cluster.startedAt,
    finishedAt: cluster.finishedAt,
    durationSeconds:
      start !== undefined && end !== undefined ? Math.max(0, Math.round((end - start) / 1000)) : undefined,
    retryAt: cluster.retryAt,
  };
  const present = Object.entries(optional).filter(([, value]) => value !== undefined);
  return {
    name: cluster.name,
    state: cluster.state,
    attempt: cluster.attempt,
    ...Object.fromEntries(present),
  };
}

function waveState(batch: Batch, wave: BatchWave): WaveViewState {
  if (wave.completedAt) return 'completed';
  if (wave.jobsDoneAt) return 'baking';
  if (wave.startedAt) return 'running';
  const due = wave.index === batch.currentWave;
  return due && wave.needsApproval && !wave.approvedAt ? 'awaiting-approval' : 'pending';
}

/** ETAs of the waves not completed, by index; none while the batch waits on a person or is over. */
function etas(batch: Batch, now: Date, options: BatchViewOptions): Map<number, Date> {
  if (batch.finishedAt || batch.halt || batch.pausedAt || batch.cancelledAt) return new Map();
  const current = batch.waves[batch.currentWave];
  const baking = current?.jobsDoneAt ? current : undefined;
  const start = baking ? new Date(Math.max(now.getTime(), Date.parse(baking.bakeUntil ?? ''))) : now;
  const ahead = batch.waves.filter((wave) => wave.index >= batch.currentWave && wave !== baking);
  const job = (cluster: BatchCluster) => ({
    name: cluster.name,
    seconds: cluster.estimateSeconds ?? options.jobEstimateSeconds,
    ...(isRunning(cluster.state) && cluster.startedAt ? { startedAt: new Date(cluster.startedAt) } : {}),
  });
  const waits = (wave: BatchWave, cluster: BatchCluster) =>
    cluster.state === 'pending' ||
    isRunning(cluster.state) ||
    (wave.kind === 'retry' && cluster.state === 'deferred-unreachable');
  const waves: TimelineWave[] = ahead.map((wave) => ({
    index: wave.index,
    label: wave.label,
    maxConcurrency: wave.maxConcurrency,
    waitsForApproval: wave.needsApproval && !wave.approvedAt,
    ...(wave.startedAt ? { startedAt: new Date(wave.startedAt) } : {}),
    jobs: clustersOf(batch, wave)
      .filter((cluster) => waits(wave, cluster))
      .map(job),
  }));
  const deferred = batch.clusters.filter(
    (c) => c.state === 'deferred-unreachable' && batch.waves[c.wave]?.kind !== 'retry',
  );
  if (deferred.length > 0) {
    // The retry wave they will form once the planned waves are complete.
    const index = batch.waves.length;
    const concurrency = waveConcurrency(batch.strategy, deferred.length);
    const approval = needsApproval(batch.strategy, index);
    waves.push({
      index,
      label: 'unreachable retries',
      maxConcurrency: concurrency,
      waitsForApproval: approval,
      jobs: deferred.map(job),
    });
  }
  const timeline = predictTimeline(waves, {
    start,
    bakeSeconds: batch.strategy.bakeSeconds,
    ...(batch.strategy.window ? { window: batch.strategy.window } : {}),
  });
  const result = new Map(timeline.waves.map((wave) => [wave.index, wave.completesAt]));
  if (baking) result.set(baking.index, start);
  return result;
}

export function batchView(batch: Batch, now: Date, options: BatchViewOptions): BatchView {
  // Bookkeeping the rollout keeps for itself, not part of the batch as shown.
  const { waves, clusters, eventSeq: _, timer: __, waitSamples: ___, acceptances, ...rest } = batch;
  const counts = Object.fromEntries(CLUSTER_STATES.map((state) => [state, 0])) as Record<
    ClusterRolloutState,
    number
  >;
  for (const cluster of clusters) counts[cluster.state] += 1;
  const waveEtas = etas(batch, now, options);
  const last = [...waveEtas.values()].reduce<Date | undefined>((a, b) => (a && a > b ? a : b), undefined);
  return {
    ...rest,
    // Which attempt each acceptance covers is the failure budget's bookkeeping too.
    acceptances: acceptances.map(({ attempts: _, ...acceptance }) => acceptance),
    counts,
    failures: { counted: countedFailures(batch).length, tolerated: tolerance(batch) },
    waves: waves.map((wave) => {
      const eta = waveEtas.get(wave.index);
      return {
        ...wave,
        state: waveState(batch, wave),
        ...(eta ? { eta: eta.toISOString() } : {}),
        clusters: clustersOf(batch, wave).map((cluster) => clusterView(cluster, now)),
      };
    }),
    ...(last ? { eta: last.toISOString() } : {}),
    ...(batch.state === 'outside-window' && batch.strategy.window
      ? { windowOpensAt: nextOpening(batch.strategy.window, now).toISOString() }
      : {}),
  };
}
