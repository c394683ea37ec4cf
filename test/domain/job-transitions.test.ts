import { describe, expect, it } from 'vitest';
import { ConflictError } from '#domain/errors.ts';
import {
  ACTIVE_STATES,
  isActive,
  isTerminal,
  type Job,
  type JobState,
  TERMINAL_STATES,
  type TerminalState,
} from '#domain/job.ts';
import {
  ALLOWED_TRANSITIONS,
  canTransition,
  newJob,
  STAGE_OF_STATE,
  STATE_OF_STAGE,
  transition,
} from '#domain/job-transitions.ts';
import { planUpgrade } from '#domain/planner.ts';
import { testCatalog } from '#test/fakes/catalog.ts';
import { type AnyJob, jobAt } from '#test/fakes/jobs.ts';

const at = new Date('2026-03-01T12:00:00Z');
const later = new Date('2026-03-01T12:05:00Z');
const catalog = testCatalog();
const ALL_STATES: JobState[] = [...ACTIVE_STATES, ...TERMINAL_STATES];

/** A state each terminal state is reached from. */
const ENDED_FROM: Record<TerminalState, 'verifying' | 'patching'> = {
  succeeded: 'verifying',
  failed: 'verifying',
  blocked: 'patching',
  cancelled: 'verifying',
};

/** A job in `state` with a two-hop plan, on hop 0 (1 for the second-hop cases). */
function jobIn(state: JobState, hop = 0): Job {
  const input = { catalog, cluster: 'c1', from: '3.18.2', to: '4.2.1', platform: '4.0.0', at, hop };
  if (isActive(state)) return jobAt(state, input);
  return transition(jobAt(ENDED_FROM[state], input), state, { at, reason: 'ended' });
}

/** What validate learns, for the transitions into checking-backup. */
const FACTS = {
  fromVersion: '3.18.2',
  plan: planUpgrade(catalog, '3.18.2', '4.2.1', { platform: '4.0.0' }).hops,
  instances: [{ kind: 'Redis' as const, namespace: 'cache', name: 'orders' }],
};

const LEGAL: Array<[JobState, JobState]> = [
  ['queued', 'validating'],
  ['queued', 'failed'],
  ['queued', 'cancelled'],
  ['validating', 'checking-backup'],
  ['validating', 'succeeded'],
  ['validating', 'blocked'],
  ['validating', 'failed'],
  ['validating', 'cancelled'],
  ['checking-backup', 'uploading'],
  ['checking-backup', 'blocked'],
  ['checking-backup', 'failed'],
  ['checking-backup', 'cancelled'],
  ['uploading', 'patching'],
  ['uploading', 'failed'],
  ['uploading', 'cancelled'],
  ['patching', 'verifying'],
  ['patching', 'blocked'],
  ['patching', 'failed'],
  ['patching', 'cancelled'],
  ['verifying', 'uploading'],
  ['verifying', 'succeeded'],
  ['verifying', 'failed'],
  ['verifying', 'cancelled'],
];

describe('job state machine', () => {
  it('starts a job queued at version 1, expecting the validate message', () => {
    // Act
    const job = newJob({
      id: 'j1',
      cluster: 'c1',
      targetVersion: '4.2.1',
      at,
      options: { takeBackup: true },
    });
    // Assess
    expect(job).toMatchObject({
      state: 'queued',
      version: 1,
      hop: 0,
      attempts: [],
      transitions: [],
      options: { takeBackup: true },
      expected: { stage: 'validate', hop: 0, seq: 1 },
      createdAt: at.toISOString(),
    });
  });

  it('allows exactly the transitions of the state machine (docs/architecture.md §4)', () => {
    // Prepare
    const legal = new Set(LEGAL.map(([from, to]) => `${from}>${to}`));
    // Act
    const allowed = ALL_STATES.flatMap((from) =>
      ALL_STATES.filter((to) => canTransition(from, to)).map((to) => `${from}>${to}`),
    );
    // Assess
    expect(new Set(allowed)).toEqual(legal);
    for (const state of TERMINAL_STATES) expect(ALLOWED_TRANSITIONS[state]).toEqual([]);
  });

  it.each(LEGAL)('%s -> %s returns a new job one version up, recording time, reason and hop', (from, to) => {
    // Prepare
    const job = jobIn(from);
    const snapshot = structuredClone(job);
    const hop = from === 'verifying' && to === 'uploading' ? job.hop + 1 : undefined;
    const planned = from === 'validating' && to === 'checking-backup' ? { facts: FACTS } : {};
    // Act
    const next: AnyJob = transition(job, to, {
      at: later,
      reason: 'because',
      ...(hop === undefined ? {} : { hop }),
      ...planned,
    });
    // Assess
    expect(job).toEqual(snapshot);
    expect(next.version).toBe(job.version + 1);
    expect(next.state).toBe(to);
    expect(next.transitions.at(-1)).toEqual({
      from,
      to,
      at: later.toISOString(),
      reason: 'because',
      hop: next.hop,
    });
    expect(next.updatedAt).toBe(later.toISOString());
    if (isTerminal(to)) {
      expect(next.expected).toBeUndefined();
      expect(next.finishedAt).toBe(later.toISOString());
      expect(next.reason).toBe('because');
    } else {
      expect(next.expected).toEqual({ stage: STAGE_OF_STATE[to], hop: next.hop, seq: next.version });
      expect(next.stageStartedAt).toBe(later.toISOString());
    }
  });

  it.each(
    ALL_STATES.flatMap((from) =>
      ALL_STATES.filter((to) => !canTransition(from, to)).map((to) => [from, to] as const),
    ),
  )('refuses %s -> %s with ILLEGAL_TRANSITION', (from, to) => {
    // Prepare
    const job = jobIn(from);
    // Act
    const act = () => transition(job, to, { at: later, reason: 'because' });
    // Assess
    expect(act).toThrow(ConflictError);
    expect(act).toThrow(`illegal transition ${from} -> ${to}`);
  });

  it('moves to the next hop only on verifying -> uploading, by exactly one', () => {
    // Prepare
    const verifying = jobIn('verifying');
    const lastHop = jobIn('verifying', 1);
    // Act / Assess
    expect(transition(verifying, 'uploading', { at, hop: 1 })).toMatchObject({
      hop: 1,
      expected: { stage: 'upload-package', hop: 1 },
    });
    expect(() => transition(verifying, 'uploading', { at })).toThrow('must move to the next hop');
    expect(() => transition(verifying, 'uploading', { at, hop: 2 })).toThrow(
      'cannot move from hop 0 to hop 2',
    );
    expect(() => transition(lastHop, 'uploading', { at, hop: 2 })).toThrow('plan has 2 hops');
    expect(() => transition(jobIn('patching'), 'verifying', { at, hop: 1 })).toThrow('cannot move');
  });

  it('clears in-stage progress and the causing message on every transition, keeping attempts', () => {
    // Prepare
    const job = {
      ...jobAt('uploading', { catalog, cluster: 'c1', from: '3.18.2', to: '4.2.1', platform: '4.0.0', at }),
      step: { claimedAt: at.toISOString(), doneAt: at.toISOString() },
      causedBy: { stage: 'check-backup' as const, hop: 0, seq: 3, id: 'm1' },
      attempts: [{ stage: 'upload-package' as const, hop: 0, count: 2 }],
    };
    // Act
    const next = transition(job, 'patching', {
      at,
      cause: { stage: 'upload-package', hop: 0, seq: 9, id: 'm2' },
    });
    // Assess
    expect(next.step).toBeUndefined();
    expect(next.causedBy).toEqual({ stage: 'upload-package', hop: 0, seq: 9, id: 'm2' });
    expect(next.attempts).toEqual([{ stage: 'upload-package', hop: 0, count: 2 }]);
  });

  it('maps every stage to the state it works in and back', () => {
    // Act / Assess
    for (const [stage, state] of Object.entries(STATE_OF_STAGE)) expect(STAGE_OF_STATE[state]).toBe(stage);
    expect(STAGE_OF_STATE.queued).toBe('validate');
  });
});
