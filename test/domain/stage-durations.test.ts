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

  it('expects a time some sample took, never above the median, and never keeps more than WAIT_SAMPLES', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 3600 }), { minLength: 1, maxLength: 50 }), (times) => {
        const samples = times.reduce((kept, seconds) => addWaitSamples(kept, { verify: seconds }), {});
        const kept = (samples as { verify: number[] }).verify;
        const expected = expectedWaits(samples).verify ?? -1;
        const sorted = [...kept].sort((a, b) => a - b);
        return (
          kept.length === Math.min(times.length, WAIT_SAMPLES) &&
          kept.includes(expected) &&
          expected <= (sorted[Math.floor((sorted.length - 1) / 2)] ?? -1)
        );
      }),
    );
  });

  it.each([
    ['nothing learned', undefined, undefined],
    ['a stage the earlier jobs were through within a poll', 29, undefined],
    ['a stage the earlier jobs waited a poll in', 30, 30],
    ['a catalog sync', 1007, 1007],
    ['a sync longer than the deadline is now', 4000, 3600],
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
});
