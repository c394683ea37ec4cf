/**
 * The scenario's `outages`: platform outages on the wall clock from the fleet's start, e.g.
 * `{ platform: acp-east, after: 90s, duration: 20s, mode: refuse }`. Neither `after` nor `duration`
 * scales with the speed: an outage is about the upgrader's real timing.
 */
import * as z from 'zod';
import { DEFAULT_OUTAGE_MODE, MAX_OUTAGE_SECONDS, OUTAGE_MODES } from '#sim/outages.ts';
import { duration } from '#sim/scenario-duration.ts';

export const scenarioOutageSchema = z.strictObject({
  platform: z.string().min(1),
  after: duration,
  duration: duration.refine(
    (ms) => ms > 0 && ms <= MAX_OUTAGE_SECONDS * 1000,
    `an outage lasts more than 0 and at most ${MAX_OUTAGE_SECONDS / 86_400}d`,
  ),
  mode: z.enum(OUTAGE_MODES).default(DEFAULT_OUTAGE_MODE),
});
export type ScenarioOutage = z.output<typeof scenarioOutageSchema>;

export interface OutageIssue {
  path: (string | number)[];
  message: string;
}

/** Outages naming a platform the scenario lacks, or overlapping another outage of their platform. */
export function outageIssues(outages: ScenarioOutage[], platforms: string[]): OutageIssue[] {
  const issues: OutageIssue[] = [];
  for (const [i, outage] of outages.entries()) {
    if (!platforms.includes(outage.platform)) {
      issues.push({
        path: ['outages', i, 'platform'],
        message: `no platform ${outage.platform} in this scenario (it has ${platforms.join(', ')})`,
      });
      continue;
    }
    const overlapped = outages.findIndex(
      (other, j) =>
        j < i &&
        other.platform === outage.platform &&
        other.after < outage.after + outage.duration &&
        outage.after < other.after + other.duration,
    );
    if (overlapped >= 0) {
      issues.push({
        path: ['outages', i],
        message: `overlaps outages[${overlapped}] of platform ${outage.platform}`,
      });
    }
  }
  return issues;
}
