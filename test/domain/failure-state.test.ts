import { describe, expect, it } from 'vitest';
import { failureState } from '#domain/failure-state.ts';
import { STAGE_NAMES, type StageName } from '#domain/job.ts';
import { ALLOWED_TRANSITIONS, STATE_OF_STAGE } from '#domain/job-transitions.ts';

describe('failureState', () => {
  const table: [StageName, 'blocked' | 'failed'][] = [
    ['validate', 'blocked'],
    ['check-backup', 'blocked'],
    ['upload-package', 'failed'],
    ['patch-subscription', 'failed'],
    ['verify', 'failed'],
  ];

  it.each(table)('ends a job that cannot go on in %s as %s', (stage, expected) => {
    expect(failureState(stage)).toBe(expected);
  });

  it('covers every stage, and is a transition the state machine allows from the stage state', () => {
    // Act
    const ends = STAGE_NAMES.map((stage) => [STATE_OF_STAGE[stage], failureState(stage)] as const);

    // Assess
    expect(table.map(([stage]) => stage)).toEqual([...STAGE_NAMES]);
    for (const [state, end] of ends) expect(ALLOWED_TRANSITIONS[state]).toContain(end);
  });
});
