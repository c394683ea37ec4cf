/**
 * The rollout's decision function: from the batch as stored, the time, and what was learnt
 * since (job reports, refused starts, re-checks, an operator's command), the next batch and
 * what the caller must do. Pure and deterministic.
 *
 * The actions are derived from the resulting batch, not from what changed: a decision re-made
 * on the committed batch (a redelivered message, a crash after the commit) asks for the same
 * starts again, each with the same idempotency key, so nothing starts twice and no start is
 * lost. The caller:
 *
 * 1. calls `decide`; a command that cannot apply throws a ConflictError (409), changing nothing;
 * 2. when `changed`, writes `batch` conditionally on the version it loaded (`batch.version - 1`)
 *    and appends `events` (ids are stable per commit); on a lost race it reloads and decides again;
 * 3. then performs `actions`: `start-job` through createUpgrade with the idempotency key (a 409
 *    or 404 is reported back as a StartRefusal), `cancel-job` through the job cancel,
 *    `recheck` as fresh reads reported back as RecheckReports, `wake` as a delayed message;
 * 4. only then acknowledges the message that triggered it.
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { StageSeconds } from '#domain/job.ts';
import { expectedWaits } from '#domain/stage-durations.ts';
import { type Batch, type BatchCluster, isRunning } from './batch.ts';
import { type BatchEvent, type EventDraft, numberEvents } from './batch-events.ts';
import { settleStatus } from './batch-status.ts';
import { nextOpening } from './maintenance-window.ts';
import { plural } from './reason-text.ts';
import { applyCommand, type BatchCommand } from './rollout-commands.ts';
import {
  foldJobReports,
  foldRechecks,
  foldRefusals,
  type JobReport,
  type RecheckReport,
  type StartRefusal,
} from './rollout-reports.ts';
import { advanceWaves, mayStartJobs } from './wave-progress.ts';

export interface RolloutInputs {
  /** The latest known state of the batch's jobs (e.g. every job listed with its batch id). */
  jobs?: readonly JobReport[];
  refusals?: readonly StartRefusal[];
  rechecks?: readonly RecheckReport[];
  command?: BatchCommand;
  /** How soon to look again while jobs run or re-checks are due (default 60 s). */
  pollSeconds?: number;
}

export type RolloutAction =
  | {
      kind: 'start-job';
      cluster: string;
      attempt: number;
      idempotencyKey: string;
      /** What the batch's earlier jobs took per stage, for the job's first checks. */
      expectedWaits?: StageSeconds;
    }
  | { kind: 'cancel-job'; cluster: string; jobId: string }
  | { kind: 'recheck'; clusters: string[] }
  | { kind: 'wake'; at: string; reason: string };

export interface Decision {
  /** The next batch, its version bumped when `changed`; the batch given otherwise. */
  batch: Batch;
  changed: boolean;
  events: BatchEvent[];
  actions: RolloutAction[];
}

export const DEFAULT_POLL_SECONDS = 60;

/** One key per cluster and attempt, within the 255 characters an Idempotency-Key allows. */
export function startKey(batchId: string, cluster: string, attempt: number): string {
  const key = `rollout:${batchId}:${attempt}:${cluster}`;
  return key.length <= 255 ? key : `rollout:${createHash('sha256').update(key).digest('hex')}`;
}

/** Upgraded, and its wave's bake is over. */
function recheckDue(batch: Batch, cluster: BatchCluster, now: Date): boolean {
  return (
    cluster.state === 'upgraded' && Date.parse(batch.waves[cluster.wave]?.bakeUntil ?? '') <= now.getTime()
  );
}

function wakeAt(batch: Batch, now: Date, pollSeconds: number): RolloutAction | undefined {
  if (batch.finishedAt) return undefined;
  const candidates: { at: number; reason: string }[] = [];
  const inFlight = batch.clusters.filter((c) => isRunning(c.state) || recheckDue(batch, c, now)).length;
  if (inFlight > 0) {
    const reason = `${plural(inFlight, 'cluster has', 'clusters have')} a job running or a re-check due`;
    candidates.push({ at: now.getTime() + pollSeconds * 1000, reason });
  }
  const wave = batch.waves[batch.currentWave];
  const bakeEnd = Date.parse(wave?.bakeUntil ?? '');
  if (bakeEnd > now.getTime()) candidates.push({ at: bakeEnd, reason: `the bake of ${wave?.label} ends` });
  const window = batch.strategy.window;
  if (batch.state === 'outside-window' && window) {
    candidates.push({ at: nextOpening(window, now).getTime(), reason: 'the maintenance window opens' });
  }
  if (wave?.kind === 'retry' && !batch.pausedAt && !batch.halt && !batch.cancelledAt) {
    for (const cluster of batch.clusters) {
      const retry = Date.parse(cluster.retryAt ?? '');
      if (cluster.state === 'deferred-unreachable' && retry > now.getTime()) {
        candidates.push({ at: retry, reason: `${cluster.name} is due for a retry` });
      }
    }
  }
  const first = candidates.sort((a, b) => a.at - b.at)[0];
  return first && { kind: 'wake', at: new Date(first.at).toISOString(), reason: first.reason };
}

function actionsFor(batch: Batch, now: Date, pollSeconds: number): RolloutAction[] {
  const actions: RolloutAction[] = [];
  const learned = expectedWaits(batch.waitSamples ?? {});
  const expected = learned ? { expectedWaits: learned } : {};
  // A start committed before a pause, halt or the window's close whose job never came to be (the
  // process died first) waits, still `starting`, and is carried out under its key once jobs may start.
  const mayStart = mayStartJobs(batch, now);
  for (const cluster of batch.clusters) {
    if (cluster.state === 'starting' && !cluster.cancelRequested && mayStart) {
      const idempotencyKey = startKey(batch.id, cluster.name, cluster.attempt);
      const { name, attempt } = cluster;
      actions.push({ kind: 'start-job', cluster: name, attempt, idempotencyKey, ...expected });
    }
    if (cluster.state === 'started' && cluster.cancelRequested && cluster.jobId) {
      actions.push({ kind: 'cancel-job', cluster: cluster.name, jobId: cluster.jobId });
    }
  }
  const due = batch.clusters.filter((cluster) => recheckDue(batch, cluster, now));
  if (due.length > 0) actions.push({ kind: 'recheck', clusters: due.map((cluster) => cluster.name) });
  const wake = wakeAt(batch, now, pollSeconds);
  return wake ? [...actions, wake] : actions;
}

/**
 * Starts the cancel caught before their jobs were seen, whose jobs the caller looked for (`jobs`
 * given) and did not find: they end cancelled. A job that turns up later is still adopted and
 * cancelled (rollout-reports.ts), and reopens the batch until it stops.
 */
function endCancelledStarts(batch: Batch, now: Date): void {
  for (const cluster of batch.clusters) {
    if (cluster.state !== 'starting' || !cluster.cancelRequested) continue;
    cluster.state = 'cancelled';
    cluster.reason = `batch cancelled${batch.cancelledBy ? ` by ${batch.cancelledBy}` : ''} before this cluster's job started`;
    cluster.finishedAt = now.toISOString();
    delete cluster.cancelRequested;
  }
}

export function decide(batch: Batch, now: Date, inputs: RolloutInputs = {}): Decision {
  const draft = structuredClone(batch);
  const drafts: EventDraft[] = inputs.command ? applyCommand(draft, inputs.command, now) : [];
  foldJobReports(draft, inputs.jobs ?? [], now);
  if (inputs.jobs) endCancelledStarts(draft, now);
  foldRefusals(draft, inputs.refusals ?? [], now);
  foldRechecks(draft, inputs.rechecks ?? []);
  drafts.push(...advanceWaves(draft, now), ...settleStatus(draft, now));
  // Fields are deleted, never set to undefined, so a draft that changed nothing equals the batch.
  const changed = drafts.length > 0 || !isDeepStrictEqual(draft, batch);
  const next = changed ? { ...draft, version: batch.version + 1, updatedAt: now.toISOString() } : batch;
  if (changed) next.eventSeq = batch.eventSeq + drafts.length;
  const pollSeconds = inputs.pollSeconds ?? DEFAULT_POLL_SECONDS;
  return {
    batch: next,
    changed,
    events: numberEvents(batch.id, batch.eventSeq, now, drafts),
    actions: actionsFor(next, now, pollSeconds),
  };
}
