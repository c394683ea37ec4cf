/**
 * The short chaos run of `npm test` (the long one is `npm run chaos`): a dozen clusters through
 * two hops with Kubernetes API faults on, serve SIGKILLed twice and started again, and a platform
 * outage (refused connections, then 503s) in the middle. Everything is counted on the simulator.
 */
import { describe, expect, it } from 'vitest';
import { runChaos } from './support/chaos-run.ts';

describe('chaos, short', () => {
  it('ends every job on its target through two kills and an outage, pushing and approving once', async () => {
    // Act
    const report = await runChaos({
      clusters: 12,
      seed: 3,
      kills: 2,
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
    expect(report.kills).toHaveLength(2);
  }, 180_000);
});
