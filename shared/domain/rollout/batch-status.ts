/**
 * The state a batch shows and why, derived from its facts after each decision: cancelled,
 * halted and paused first (the operator must see them whatever else goes on), then what the
 * current wave waits for. Entering `awaiting-approval` or `outside-window` is recorded as an
 * event, since a wait is a decision too.
 */
import { type Batch, isRunning, isTerminalCluster, runningJobs } from './batch.ts';
import type { EventDraft } from './batch-events.ts';
import { nextOpening } from './maintenance-window.ts';
import { windowText } from './maintenance-window-text.ts';
import { plural, runningNote } from './reason-text.ts';
import { clustersOf, holdsWave, startable, windowIsOpen } from './wave-progress.ts';

interface Status {
  state: Batch['state'];
  reason: string;
}

function windowWait(batch: Batch, now: Date): string {
  const window = batch.strategy.window;
  if (!window) return '';
  return `the window ${windowText(window)} opens at ${nextOpening(window, now).toISOString()}`;
}

function waveStatus(batch: Batch, now: Date): Status {
  const wave = batch.waves[batch.currentWave];
  if (!wave) return { state: 'running', reason: 'completing' };
  if (!wave.startedAt) {
    if (wave.needsApproval && !wave.approvedAt) {
      const size = plural(clustersOf(batch, wave).length, 'cluster', 'clusters');
      return {
        state: 'awaiting-approval',
        reason: `${wave.label} (${size}) awaits approval (approve with {"wave": ${wave.index}})`,
      };
    }
    return { state: 'outside-window', reason: `${wave.label} waits: ${windowWait(batch, now)}` };
  }
  const clusters = clustersOf(batch, wave);
  const running = clusters.filter((cluster) => isRunning(cluster.state)).length;
  const waiting = clusters.filter((cluster) => holdsWave(wave, cluster) && !isRunning(cluster.state)).length;
  if (waiting > 0 && !windowIsOpen(batch, now) && startable(batch, wave, now).length > 0) {
    return {
      state: 'outside-window',
      reason: `${wave.label}: no job starts until ${windowWait(batch, now)}${runningNote(runningJobs(batch))}`,
    };
  }
  if (running > 0 || waiting > 0) {
    const done = clusters.length - running - waiting;
    return {
      state: 'running',
      reason: `${wave.label}: ${running} running, ${waiting} waiting, ${done} done`,
    };
  }
  const bakeUntil = wave.bakeUntil ?? now.toISOString();
  if (Date.parse(bakeUntil) > now.getTime()) {
    return { state: 'baking', reason: `${wave.label} bakes until ${bakeUntil}` };
  }
  const upgraded = clusters.filter((cluster) => cluster.state === 'upgraded').length;
  return {
    state: 'baking',
    reason: `${wave.label} baked; re-checking ${plural(upgraded, 'upgraded cluster', 'upgraded clusters')}`,
  };
}

function status(batch: Batch, now: Date): Status {
  if (batch.cancelledAt) {
    const running = batch.clusters.filter((cluster) => !isTerminalCluster(cluster.state)).length;
    const reason =
      running === 0 ? 'cancelled' : `cancelled; waiting for ${plural(running, 'job', 'jobs')} to stop`;
    return { state: 'cancelled', reason };
  }
  if (batch.halt) return { state: 'halted', reason: batch.halt.reason };
  if (batch.pausedAt) {
    const by = batch.pausedBy ? ` by ${batch.pausedBy}` : '';
    return {
      state: 'paused',
      reason: `paused${by} at ${batch.pausedAt}: no new job starts${runningNote(runningJobs(batch))}`,
    };
  }
  return waveStatus(batch, now);
}

const WAIT_EVENTS: Partial<Record<Batch['state'], EventDraft['type']>> = {
  'awaiting-approval': 'wave.awaiting_approval',
  'outside-window': 'wave.outside_window',
};

/** Sets the draft's state and reason; the event of a wait it enters. */
export function settleStatus(batch: Batch, now: Date): EventDraft[] {
  if (batch.finishedAt && !batch.cancelledAt) return [];
  const before = batch.state;
  const { state, reason } = status(batch, now);
  batch.state = state;
  batch.reason = reason;
  if (state === 'cancelled') {
    // Ends when its last job stops; a job that turns up after that (its start raced the cancel) reopens it.
    const settled = batch.clusters.every((cluster) => isTerminalCluster(cluster.state));
    if (settled && !batch.finishedAt) batch.finishedAt = now.toISOString();
    if (!settled) delete batch.finishedAt;
  }
  const type = WAIT_EVENTS[state];
  return type && state !== before ? [{ type, wave: batch.currentWave, reason }] : [];
}
