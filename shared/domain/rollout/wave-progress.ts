/**
 * Moving a batch through its waves. A wave starts only when the previous one is complete (all
 * its jobs terminal, its bake over, every cluster it upgraded re-checked healthy or counted
 * failed), its approval was given when it needs one, the window is open, and the batch is
 * neither paused, halted nor cancelled. Inside a started wave, pending clusters start in wave
 * order while fewer than `maxConcurrency` of its jobs run, only while the window is open.
 *
 * Clusters deferred as unreachable do not hold their wave up: once every planned wave is
 * complete they form one last wave, the retry wave, which ends when each has been upgraded or
 * has run out of retries.
 */
import { type Batch, type BatchCluster, type BatchWave, isRunning, needsApproval } from './batch.ts';
import type { EventDraft } from './batch-events.ts';
import { haltForFailures, haltForUnprovenCanary } from './failure-budget.ts';
import { isOpen } from './maintenance-window.ts';
import { nameList, plural } from './reason-text.ts';
import { waveConcurrency } from './wave-plan.ts';

export function windowIsOpen(batch: Batch, now: Date): boolean {
  return batch.strategy.window === undefined || isOpen(batch.strategy.window, now);
}

export function clustersOf(batch: Batch, wave: BatchWave): BatchCluster[] {
  return batch.clusters.filter((cluster) => cluster.wave === wave.index);
}

/** Clusters that may start now: pending ones, and in the retry wave deferred ones whose delay is over. */
export function startable(batch: Batch, wave: BatchWave, now: Date): BatchCluster[] {
  return clustersOf(batch, wave).filter(
    (cluster) =>
      cluster.state === 'pending' ||
      (wave.kind === 'retry' &&
        cluster.state === 'deferred-unreachable' &&
        Date.parse(cluster.retryAt ?? '') <= now.getTime()),
  );
}

/** The cluster keeps its wave from ending: to start, running, or (in the retry wave) to retry. */
export function holdsWave(wave: BatchWave, cluster: BatchCluster): boolean {
  if (cluster.state === 'pending' || isRunning(cluster.state)) return true;
  return wave.kind === 'retry' && cluster.state === 'deferred-unreachable';
}

/** Whether new jobs may start at all (the wave's own gates aside). */
export function mayStartJobs(batch: Batch, now: Date): boolean {
  return !batch.pausedAt && !batch.halt && !batch.cancelledAt && windowIsOpen(batch, now);
}

function startJobs(batch: Batch, wave: BatchWave, now: Date): void {
  if (!mayStartJobs(batch, now)) return;
  const running = clustersOf(batch, wave).filter((cluster) => isRunning(cluster.state)).length;
  for (const cluster of startable(batch, wave, now).slice(0, Math.max(0, wave.maxConcurrency - running))) {
    cluster.state = 'starting';
    cluster.attempt += 1;
    cluster.startedAt = now.toISOString();
    for (const key of ['finishedAt', 'retryAt', 'reason', 'hop', 'jobState'] as const) delete cluster[key];
  }
}

export function addSeconds(at: Date, seconds: number): string {
  return new Date(at.getTime() + seconds * 1000).toISOString();
}

function outcomeCounts(clusters: readonly BatchCluster[]): string {
  const counts = Map.groupBy(clusters, (cluster) => cluster.state);
  return [...counts].map(([state, members]) => `${members.length} ${state}`).join(', ');
}

function startReason(batch: Batch, wave: BatchWave): string {
  const size = clustersOf(batch, wave).length;
  const previous = batch.waves[wave.index - 1];
  const after = previous ? `; ${previous.label} completed` : '';
  const approved = wave.approvedAt ? `; approved${wave.approvedBy ? ` by ${wave.approvedBy}` : ''}` : '';
  return `${wave.label} started: ${plural(size, 'cluster', 'clusters')}, at most ${wave.maxConcurrency} at a time${after}${approved}`;
}

/** The retry wave of the clusters deferred as unreachable; false when there are none. */
function appendRetryWave(batch: Batch): boolean {
  const deferred = batch.clusters.filter((cluster) => cluster.state === 'deferred-unreachable');
  if (deferred.length === 0) return false;
  const index = batch.waves.length;
  const { strategy } = batch;
  batch.waves.push({
    index,
    kind: 'retry',
    label: 'unreachable retries',
    maxConcurrency: waveConcurrency(strategy, deferred.length),
    needsApproval: needsApproval(strategy, index),
  });
  for (const cluster of deferred) cluster.wave = index;
  return true;
}

function complete(batch: Batch, now: Date): EventDraft {
  const allSucceeded = batch.clusters.every((cluster) => cluster.state === 'succeeded');
  batch.state = allSucceeded ? 'succeeded' : 'completed-with-failures';
  batch.finishedAt = now.toISOString();
  // A halt that came when every job had already started stops nothing: the batch still ends.
  const halted = batch.halt ? ` (halted on the way: ${batch.halt.reason.split(';')[0]})` : '';
  batch.reason = `completed: ${outcomeCounts(batch.clusters)}${halted}`;
  return { type: 'batch.completed', reason: batch.reason };
}

/** Records a halt; an existing halt takes in failures that came after it, so it names them all. */
function recordHalt(batch: Batch, halt: Batch['halt'], events: EventDraft[]): void {
  if (!halt || batch.cancelledAt) return;
  if (batch.halt) {
    const named = new Set(batch.halt.clusters);
    if (halt.clusters.every((name) => named.has(name))) return;
    batch.halt = {
      ...halt,
      at: batch.halt.at,
      clusters: [...new Set([...batch.halt.clusters, ...halt.clusters])],
    };
    return;
  }
  batch.halt = halt;
  events.push({ type: 'batch.halted', reason: `halted: ${halt.reason}`, clusters: halt.clusters });
}

/** One step of a wave; true when it completed and the next wave may be looked at. */
function stepWave(batch: Batch, wave: BatchWave, now: Date, events: EventDraft[]): boolean {
  const at = now.toISOString();
  if (!wave.startedAt) {
    if (!mayStartJobs(batch, now) || (wave.needsApproval && !wave.approvedAt)) return false;
    wave.startedAt = at;
    events.push({ type: 'wave.started', wave: wave.index, reason: startReason(batch, wave) });
  }
  startJobs(batch, wave, now);
  const clusters = clustersOf(batch, wave);
  if (clusters.some((cluster) => holdsWave(wave, cluster))) return false;
  if (!wave.jobsDoneAt) {
    wave.jobsDoneAt = at;
    wave.bakeUntil = addSeconds(now, batch.strategy.bakeSeconds);
    if (batch.strategy.bakeSeconds > 0) {
      const reason = `${wave.label}: every job ended (${outcomeCounts(clusters)}); baking until ${wave.bakeUntil}, then re-checking the upgraded clusters`;
      events.push({ type: 'wave.baking', wave: wave.index, reason });
    }
  }
  if (Date.parse(wave.bakeUntil ?? at) > now.getTime()) return false;
  if (clusters.some((cluster) => cluster.state === 'upgraded')) return false;
  wave.completedAt = at;
  const deferred = clusters.filter((cluster) => cluster.state === 'deferred-unreachable').map((c) => c.name);
  const later = deferred.length > 0 ? `; ${nameList(deferred)} deferred to the end (unreachable)` : '';
  const reason = `${wave.label} completed, baked and re-checked: ${outcomeCounts(clusters)}${later}`;
  events.push({ type: 'wave.completed', wave: wave.index, reason });
  if (wave.kind === 'canary') recordHalt(batch, haltForUnprovenCanary(batch, wave.index, now), events);
  return true;
}

/** Advances the draft as far as its gates allow at `now`; the events of what it did. */
export function advanceWaves(batch: Batch, now: Date): EventDraft[] {
  const events: EventDraft[] = [];
  if (batch.finishedAt) return events;
  if (!batch.startedAt) {
    batch.startedAt = now.toISOString();
    const reason = `started: ${plural(batch.clusters.length, 'cluster', 'clusters')} to ${batch.targetVersion} in ${plural(batch.waves.length, 'wave', 'waves')} (${batch.waves.map((wave) => wave.label).join(', ')})`;
    events.push({ type: 'batch.started', reason });
  }
  recordHalt(batch, haltForFailures(batch, now), events);
  while (!batch.cancelledAt) {
    const wave = batch.waves[batch.currentWave];
    if (!wave) {
      if (appendRetryWave(batch)) continue;
      events.push(complete(batch, now));
      break;
    }
    if (!stepWave(batch, wave, now, events)) break;
    batch.currentWave += 1;
  }
  return events;
}
