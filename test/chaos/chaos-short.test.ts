/**
 * The short chaos run of `npm test` (the long one is `npm run chaos`): a dozen clusters rolled out
 * through two hops as one batch (a canary, then the rest), with Kubernetes API faults on, serve
 * SIGKILLed three times mid-rollout and started again, and a platform outage (refused
 * connections, then 503s) in the middle. Everything is counted on the simulator.
 */
import { describe, expect, it } from 'vitest';
import { runChaos } from './support/chaos-run.ts';

describe('chaos, short', () => {
  it('ends a rollout with every cluster on its target through three kills and an outage, starting, pushing and approving each once', async () => {
    // Act
    const report = await runChaos({
      clusters: 12,
      seed: 3,
      kills: 3,
      rollout: { canary: 1 },
      killWindowSeconds: 12,
      outage: { atSeconds: 5, seconds: 5, mode: 'mixed' },
      visibilityTimeoutSeconds: 5,
      speed: 600,
      timeoutSeconds: 150,
    });
    // Assess
    expect(report.lost).toEqual([]);
    expect(report.unsuccessful).toEqual([]);
    expect(report.states).toEqual({ succeeded: 12 });
    expect(report.duplicateUploads).toEqual([]);
    expect(report.duplicateApprovals).toEqual([]);
    expect(report.wrongVersion).toEqual([]);
    expect(report.kills).toHaveLength(3);
    expect(report.batch).toMatchObject({ state: 'succeeded', startedTwice: [] });
  }, 180_000);
});
