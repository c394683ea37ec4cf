import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ActiveState, Job } from '#domain/job.ts';
import { transition } from '#domain/job-transitions.ts';
import {
  addWaitSamples,
  expectedWaits,
  firstLook,
  stageSeconds,
  WAIT_SAMPLES,
} from '#domain/stage-durations.ts';
import { testCatalog } from '#test/fakes/catalog.ts';
import { ended, jobAt } from '#test/fakes/jobs.ts';

const at = new Date('2026-03-01T12:00:00Z');
const later = (seconds: number) => new Date(at.getTime() + seconds * 1000);

/** A job through `path`, each state entered at its second (on its hop), ending succeeded at `end`. */
function succeededThrough(path: [ActiveState, number, number?][], end: number): Job {
  const start = { catalog: testCatalog(), cluster: 'c1', from: '3.18.2', to: '4.2.1', at };
  let job: Job = jobAt('checking-backup', start);
  for (const [state, second, hop] of path) {
    job = transition(job, state, { at: later(second), ...(hop === undefined ? {} : { hop }) });
  }
  return ended(job, 'succeeded', later(end));
}

describe('stage durations', () => {
  it("measures each stage of a succeeded job from its transitions, a stage's shortest visit when it ran per hop", () => {
    // Prepare: two hops (3.18.2 -> 4.0.x -> 4.2.1), patching 1000 s then 700 s
    const job = succeededThrough(
      [
        ['uploading', 7],
        ['patching', 8],
        ['verifying', 1008],
        ['uploading', 1250, 1],
        ['patching', 1251],
        ['verifying', 1951],
      ],
      2200,
    );
    // Act
    const seconds = stageSeconds(job);
    // Assess
    expect(seconds).toEqual({
      'check-backup': 7,
      'upload-package': 1,
      'patch-subscription': 700,
      verify: 242,
    });
  });

  it('learns nothing from a job that did not succeed', () => {
    // Prepare
    const job = jobAt('patching', { catalog: testCatalog(), cluster: 'c1', from: '3.18.2', to: '4.0.3', at });
    // Act
    const seconds = [stageSeconds(job), stageSeconds(ended(job, 'failed', later(60)))];
    // Assess
    expect(seconds).toEqual([{}, {}]);
  });

  it('keeps the first samples of each stage and expects their lower quartile', () => {
    // Prepare
    let samples = {};
    // Act
    for (let seconds = 100; seconds <= 100 + WAIT_SAMPLES * 10; seconds += 10) {
      samples = addWaitSamples(samples, { 'patch-subscription': seconds, verify: 2 * seconds });
    }
    // Assess
    expect(samples).toMatchObject({
      'patch-subscription': Array.from({ length: WAIT_SAMPLES }, (_, i) => 100 + 10 * i),
    });
    expect(expectedWaits(samples)).toEqual({ 'patch-subscription': 140, verify: 280 });
  });

  it('keeps the first WAIT_SAMPLES times in the order they came, and expects the same whatever that order', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 3600 }), { minLength: 1, maxLength: 50 }), (times) => {
        const add = (list: number[]) =>
          list.reduce((kept, seconds) => addWaitSamples(kept, { verify: seconds }), {});
        const first = times.slice(0, WAIT_SAMPLES);
        const kept = add(times);
        const reversed = add([...first].reverse());
        return (
          isDeepStrictEqual(kept, { verify: first }) &&
          expectedWaits(kept)?.verify === expectedWaits(reversed)?.verify
        );
      }),
    );
  });

  it.each([
    ['nothing learned', undefined, undefined],
    ['a stage the earlier jobs were through within a poll', 29, undefined],
    ['a stage the earlier jobs waited a poll in', 30, 30],
    ['a catalog sync', 1007, 1007],
    ['a sync longer than the deadline is now: a poll before it', 4000, 3570],
  ])('looks first on entering patching after %s', (_label, learned, expected) => {
    // Prepare
    const job = jobAt('patching', {
      catalog: testCatalog(),
      cluster: 'c1',
      from: '3.18.2',
      to: '4.0.3',
      at,
      ...(learned === undefined ? {} : { expectedWaits: { 'patch-subscription': learned, verify: 5000 } }),
    });
    // Act
    const look = firstLook(job, { pollSeconds: 30, deadlineSeconds: 3600 });
    // Assess
    expect(look?.seconds).toBe(expected);
  });

  it.each(['uploading', 'checking-backup'] as const)(
    'looks at once on entering %s, whose first look starts its own work',
    (state) => {
      // Prepare
      const expectedWaits = { 'check-backup': 1800, 'upload-package': 410 };
      const job = jobAt(state, {
        catalog: testCatalog(),
        cluster: 'c1',
        from: '3.18.2',
        to: '4.0.3',
        at,
        expectedWaits,
      });
      // Act
      const look = firstLook(job, { pollSeconds: 10, deadlineSeconds: 3600 });
      // Assess
      expect(look).toBeUndefined();
    },
  );

  it('leaves out the stages a job was told to expect: their times only confirm the expectation', () => {
    // Prepare
    let job: Job = jobAt('checking-backup', {
      catalog: testCatalog(),
      cluster: 'c1',
      from: '3.18.2',
      to: '4.0.3',
      at,
      expectedWaits: { 'patch-subscription': 1007 },
    });
    for (const [state, second] of [
      ['uploading', 7],
      ['patching', 8],
      ['verifying', 1015],
    ] as const) {
      job = transition(job, state, { at: later(second) });
    }
    // Act
    const seconds = stageSeconds(ended(job, 'succeeded', later(1250)));
    // Assess
    expect(seconds).toEqual({ 'check-backup': 7, 'upload-package': 1, verify: 235 });
  });
});
