/**
 * What must hold of every decision, whatever came before it: the rollout issue's properties
 * written as checks over the batch before and after one decision.
 */
import { expect } from 'vitest';
import { type Batch, isRunning, isTerminalCluster } from '#domain/rollout/batch.ts';
import { type Decision, decide, type RolloutInputs } from '#domain/rollout/decide.ts';
import { countedFailures, tolerance } from '#domain/rollout/failure-budget.ts';

/** Never more than maxConcurrency jobs running (or about to) in a wave. */
export function checkConcurrency(batch: Batch): void {
  for (const wave of batch.waves) {
    const running = batch.clusters.filter((c) => c.wave === wave.index && isRunning(c.state)).length;
    expect(running, `${wave.label} runs ${running} jobs`).toBeLessThanOrEqual(wave.maxConcurrency);
  }
}

/** No wave starts before the one before it is complete, baked, re-checked and approved. */
export function checkWaveOrder(batch: Batch): void {
  for (const wave of batch.waves) {
    const clusters = batch.clusters.filter((c) => c.wave === wave.index);
    if (!wave.startedAt) {
      const started = clusters.filter((c) => c.attempt > 0 && batch.waves[c.wave]?.kind !== 'retry');
      expect(
        started.map((c) => c.name),
        `${wave.label} has not started`,
      ).toEqual([]);
      continue;
    }
    if (wave.needsApproval) expect(wave.approvedAt, `${wave.label} approved`).toBeDefined();
    const previous = batch.waves[wave.index - 1];
    if (!previous) continue;
    expect(previous.completedAt, `${previous.label} completed before ${wave.label}`).toBeDefined();
    expect(Date.parse(previous.bakeUntil ?? '')).toBeLessThanOrEqual(Date.parse(wave.startedAt));
    expect(Date.parse(previous.completedAt ?? '')).toBeLessThanOrEqual(Date.parse(wave.startedAt));
    const unchecked = batch.clusters.filter((c) => c.wave === previous.index && c.state === 'upgraded');
    expect(
      unchecked.map((c) => c.name),
      `${previous.label} re-checked`,
    ).toEqual([]);
  }
}

/** The batch halts exactly when the budget is exceeded (or a canary fails); a halted decision starts nothing. */
export function checkBudget(before: Batch, after: Batch): void {
  const failures = countedFailures(after);
  const canaryFailed = failures.some((c) => after.waves[c.wave]?.kind === 'canary');
  const exceeded = failures.length > tolerance(after) || canaryFailed;
  if (!after.cancelledAt && exceeded) expect(after.halt, 'halted when the budget is exceeded').toBeDefined();
  if (after.halt && !before.halt) {
    const canaryCompleted = after.waves.some(
      (w) => w.kind === 'canary' && w.completedAt && !before.waves[w.index]?.completedAt,
    );
    expect(exceeded || canaryCompleted, `halted without cause: ${after.halt.reason}`).toBe(true);
  }
  if (after.halt) {
    const wasRunning = new Set(
      before.clusters.filter((c) => isRunning(c.state)).map((c) => `${c.name}:${c.attempt}`),
    );
    const started = after.clusters.filter(
      (c) => c.state === 'starting' && !wasRunning.has(`${c.name}:${c.attempt}`),
    );
    expect(
      started.map((c) => c.name),
      'started while halted',
    ).toEqual([]);
  }
}

/** A finished batch has every cluster in exactly one terminal state. */
export function checkFinished(batch: Batch): void {
  if (!batch.finishedAt) return;
  const open = batch.clusters.filter((c) => !isTerminalCluster(c.state)).map((c) => `${c.name}:${c.state}`);
  expect(open, 'clusters not terminal in a finished batch').toEqual([]);
  expect(new Set(batch.clusters.map((c) => c.name)).size).toBe(batch.clusters.length);
}

/** The same inputs decide the same; deciding again on the result changes nothing. */
export function checkIdempotent(before: Batch, now: Date, inputs: RolloutInputs, decision: Decision): void {
  expect(decide(before, now, inputs)).toEqual(decision);
  // An operator's command is not a redelivered message: repeating it may mean something new.
  if (inputs.command) return;
  const again = decide(decision.batch, now, inputs);
  expect(again.changed, 'a second decision on the same inputs changed the batch').toBe(false);
  expect(again.actions).toEqual(decision.actions);
  expect(decision.events.map((event) => event.seq)).toEqual(
    decision.events.map((_, i) => before.eventSeq + i + 1),
  );
}

export function checkDecision(before: Batch, now: Date, inputs: RolloutInputs, decision: Decision): void {
  const after = decision.batch;
  checkConcurrency(after);
  checkWaveOrder(after);
  checkBudget(before, after);
  checkFinished(after);
  checkIdempotent(before, now, inputs, decision);
}
