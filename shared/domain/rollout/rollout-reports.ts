/**
 * What the rollout learns from the world between two decisions, folded into a draft batch:
 * the latest known state of its jobs, starts the caller could not make, and the re-checks it
 * made after a bake. Reports may come duplicated, stale or in any order; folding the same set
 * of reports twice changes nothing the second time:
 *
 * - a report counts only for the cluster's current job (or, for a cluster whose start was
 *   decided, a job not seen before); reports of earlier attempts are stale;
 * - a job's terminal state is final: a later report of it running is ignored;
 * - of conflicting re-checks of one cluster, the unhealthy one wins.
 */
import {
  ACTIVE_STATES,
  type ActiveState,
  isTerminal,
  type JobState,
  type StageSeconds,
} from '#domain/job.ts';
import { addWaitSamples } from '#domain/stage-durations.ts';
import type { Batch, BatchCluster, HopProgress } from './batch.ts';
import { addSeconds } from './wave-progress.ts';

export interface JobReport {
  cluster: string;
  jobId: string;
  state: JobState;
  /** Why a terminal job ended (the job's reason). */
  reason?: string;
  /**
   * The job ended `blocked` in validate because the cluster's API could not be reached (the
   * stage gave up on transient errors: refused connections, timeouts, 5xx, 429).
   */
  unreachable?: boolean;
  hop?: HopProgress;
  finishedAt?: string;
  /** A succeeded job's seconds in each stage (#domain/stage-durations.ts). */
  stageSeconds?: StageSeconds;
}

/** A start the caller could not make (createUpgrade refused it); nothing was changed. */
export interface StartRefusal {
  cluster: string;
  /** The attempt of the start action refused. */
  attempt: number;
  reason: string;
  /** Refused because the cluster has an active job outside this batch (409). */
  busy?: boolean;
}

/** A fresh read of an upgraded cluster after its wave's bake. */
export interface RecheckReport {
  cluster: string;
  checkedAt: string;
  /** Operator CSV `Succeeded` and every Redis instance healthy. */
  healthy: boolean;
  /** What was found wrong, naming the resources. */
  reason?: string;
}

const TERMINAL_RANK: Partial<Record<JobState, number>> = {
  failed: 4,
  blocked: 3,
  cancelled: 2,
  succeeded: 1,
};

/** How far a job has come: a later hop, a later stage, the end (conflicting ends in a fixed order). */
function progress(state: JobState, hop: HopProgress | undefined): number {
  if (isTerminal(state)) return 1e9 + (TERMINAL_RANK[state] ?? 0);
  return (hop?.index ?? 0) * ACTIVE_STATES.length + ACTIVE_STATES.indexOf(state as ActiveState);
}

function furthest(reports: readonly JobReport[]): JobReport | undefined {
  return [...reports].sort((a, b) => progress(b.state, b.hop) - progress(a.state, a.hop))[0];
}

function endJob(batch: Batch, cluster: BatchCluster, report: JobReport, now: Date): void {
  const finishedAt = report.finishedAt ?? now.toISOString();
  const reason = report.reason ?? `job ${report.jobId} ended ${report.state}`;
  delete cluster.jobState;
  cluster.finishedAt = finishedAt;
  cluster.reason = reason;
  const policy = batch.strategy.unreachable;
  const canRetry =
    policy !== undefined && cluster.attempt <= policy.retries && batch.cancelledAt === undefined;
  if (report.state === 'blocked' && report.unreachable && canRetry) {
    cluster.state = 'deferred-unreachable';
    cluster.pastJobIds = [...(cluster.pastJobIds ?? []), report.jobId];
    delete cluster.jobId;
    cluster.retryAt = addSeconds(new Date(finishedAt), policy.retryDelaySeconds);
    cluster.reason = `unreachable at validate, deferred to the end of the batch (retry ${cluster.attempt} of ${policy.retries}): ${reason}`;
    return;
  }
  if (report.state === 'blocked' && report.unreachable && policy !== undefined) {
    cluster.reason = `unreachable after ${policy.retries} ${policy.retries === 1 ? 'retry' : 'retries'}: ${reason}`;
  }
  if (report.state !== 'succeeded') {
    cluster.state = report.state as BatchCluster['state'];
  } else if (batch.cancelledAt) {
    cluster.state = 'succeeded';
    cluster.reason = 'upgraded (its job was past cancelling); not re-checked, the batch was cancelled';
  } else {
    cluster.state = 'upgraded';
    delete cluster.reason;
  }
  if (report.state === 'succeeded' && report.stageSeconds) {
    batch.waitSamples = addWaitSamples(batch.waitSamples ?? {}, report.stageSeconds);
  }
}

/** Whether a job the cluster has not named yet may become its current one: its start was decided. */
function awaitsJob(batch: Batch, cluster: BatchCluster): boolean {
  if (cluster.jobId !== undefined || cluster.attempt === 0) return false;
  // A start cancelled before its job was confirmed: the job may still appear, and must be stopped.
  return cluster.state === 'starting' || (cluster.state === 'cancelled' && batch.cancelledAt !== undefined);
}

function foldJob(batch: Batch, cluster: BatchCluster, reports: readonly JobReport[], now: Date): void {
  const past = new Set(cluster.pastJobIds ?? []);
  const fresh = reports.filter((report) => !past.has(report.jobId));
  if (awaitsJob(batch, cluster)) {
    const adopted = fresh.map((report) => report.jobId).sort()[0];
    if (adopted === undefined) return;
    cluster.jobId = adopted;
    if (cluster.state === 'cancelled') cluster.cancelRequested = true;
    cluster.state = 'started';
  }
  if (!(cluster.state === 'started' || cluster.state === 'starting')) return;
  const report = furthest(fresh.filter((candidate) => candidate.jobId === cluster.jobId));
  if (!report) return;
  if (isTerminal(report.state)) {
    endJob(batch, cluster, report, now);
    return;
  }
  cluster.state = 'started';
  // A stale report must not move the progress shown backwards.
  if (cluster.jobState && progress(cluster.jobState, cluster.hop) > progress(report.state, report.hop))
    return;
  cluster.jobState = report.state;
  if (report.hop) cluster.hop = report.hop;
}

export function foldJobReports(batch: Batch, reports: readonly JobReport[], now: Date): void {
  const byCluster = Map.groupBy(reports, (report) => report.cluster);
  for (const cluster of batch.clusters) {
    const mine = byCluster.get(cluster.name);
    if (mine) foldJob(batch, cluster, mine, now);
  }
}

export function foldRefusals(batch: Batch, refusals: readonly StartRefusal[], now: Date): void {
  const byName = new Map(batch.clusters.map((cluster) => [cluster.name, cluster]));
  for (const refusal of refusals) {
    const cluster = byName.get(refusal.cluster);
    if (cluster?.state !== 'starting' || cluster.jobId !== undefined || cluster.attempt !== refusal.attempt)
      continue;
    cluster.state = refusal.busy && batch.strategy.skipBusy ? 'skipped' : 'blocked';
    cluster.reason = `${cluster.state === 'skipped' ? 'skipped' : 'could not start'}: ${refusal.reason}`;
    cluster.finishedAt = now.toISOString();
  }
}

export function foldRechecks(batch: Batch, rechecks: readonly RecheckReport[]): void {
  const byName = new Map(batch.clusters.map((cluster) => [cluster.name, cluster]));
  const unhealthyFirst = [...rechecks].sort((a, b) => Number(a.healthy) - Number(b.healthy));
  for (const recheck of unhealthyFirst) {
    const cluster = byName.get(recheck.cluster);
    const bakeUntil = cluster && batch.waves[cluster.wave]?.bakeUntil;
    if (cluster?.state !== 'upgraded' || bakeUntil === undefined) continue;
    if (Date.parse(recheck.checkedAt) < Date.parse(bakeUntil)) continue;
    cluster.recheckedAt = recheck.checkedAt;
    if (recheck.healthy) {
      cluster.state = 'succeeded';
      continue;
    }
    cluster.state = 'recheck-failed';
    cluster.reason = `re-check after the bake failed: ${recheck.reason ?? 'the cluster is not healthy'}`;
  }
}
