import { describe, expect, it } from 'vitest';
import type { RolloutAction, RolloutInputs } from '#domain/rollout/decide.ts';
import type { JobReport } from '#domain/rollout/rollout-reports.ts';
import { fleetOf } from './support/fleet.ts';
import { RolloutWorld } from './support/rollout-world.ts';

const fleet = fleetOf(5);
const CANARY_TOOK = { 'patch-subscription': 1007, verify: 239 };

function canaryFirst() {
  return new RolloutWorld({
    fleet,
    request: { clusters: fleet.map((cluster) => cluster.name), strategy: { canary: 1, waveSize: 4 } },
  });
}

/** What the world knows, its jobs' reports with what their stages took. */
function withTimes(rollout: RolloutWorld): RolloutInputs {
  const inputs = rollout.inputs();
  const jobs = (inputs.jobs ?? []).map((report): JobReport => ({ ...report, stageSeconds: CANARY_TOOK }));
  return { ...inputs, jobs };
}

const starts = (actions: readonly RolloutAction[]) => actions.filter((action) => action.kind === 'start-job');

describe('a rollout teaching its later jobs what the earlier ones waited', () => {
  it("starts the canary with nothing to expect and the next wave with the canary's times", () => {
    // Prepare
    const rollout = canaryFirst();
    const canary = rollout.decide();
    rollout.endRunning();
    // Act: the canary's end is folded twice (a redelivered wake), then its wave completes
    const folded = rollout.decide(withTimes(rollout));
    const again = rollout.decide(withTimes(rollout));
    const next = rollout.decide(withTimes(rollout));
    // Assess
    expect(starts(canary.actions)).toEqual([
      expect.not.objectContaining({ expectedWaits: expect.anything() }),
    ]);
    expect(folded.batch.waitSamples).toEqual({ 'patch-subscription': [1007], verify: [239] });
    expect(again.batch.waitSamples).toEqual(folded.batch.waitSamples);
    const wave = starts([...folded.actions, ...again.actions, ...next.actions]);
    expect(wave.length).toBeGreaterThan(0);
    for (const start of wave) expect(start).toMatchObject({ expectedWaits: CANARY_TOOK });
  });

  it('learns nothing from a job that failed', () => {
    // Prepare
    const rollout = new RolloutWorld({
      fleet,
      request: {
        clusters: fleet.map((cluster) => cluster.name),
        strategy: { maxConcurrency: 1, failureBudget: { maxFailed: 2 } },
      },
      scripts: { c00: ['fail'] },
    });
    rollout.decide();
    rollout.endRunning();
    // Act
    const decision = rollout.decide(withTimes(rollout));
    // Assess
    expect(decision.batch.waitSamples).toBeUndefined();
    expect(starts(decision.actions)).toEqual([
      expect.not.objectContaining({ expectedWaits: expect.anything() }),
    ]);
  });
});
