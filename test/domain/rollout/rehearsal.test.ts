import { describe, expect, it } from 'vitest';
import { type BatchRequestInput, batchRequestSchema } from '#domain/rollout/batch-request.ts';
import { type ClusterForecast, type DurationModel, hopMedians, rehearse } from '#domain/rollout/rehearsal.ts';
import { planWaves } from '#domain/rollout/wave-plan.ts';
import { fleetOf } from './support/fleet.ts';

const now = new Date('2026-03-02T10:00:00Z');
const fleet = fleetOf(5);

function strategy(input: BatchRequestInput['strategy']) {
  return batchRequestSchema.parse({ targetVersion: '4.2.1', clusters: ['a'], strategy: input }).strategy;
}

const durations: DurationModel = {
  samples: [
    { from: '4.0.3', to: '4.2.1', seconds: 500 },
    { from: '4.0.3', to: '4.2.1', seconds: 700 },
    { from: '4.0.3', to: '4.2.1', seconds: 9000 },
  ],
  estimateHopSeconds: 1200,
  jobOverheadSeconds: 60,
};

const forecasts: ClusterForecast[] = [
  { cluster: 'c00', hops: [{ from: '4.0.3', to: '4.2.1' }] },
  {
    cluster: 'c01',
    hops: [
      { from: '3.18.2', to: '4.0.3' },
      { from: '4.0.3', to: '4.2.1' },
    ],
  },
  { cluster: 'c02', blocked: 'Redis cache/orders is Error' },
  { cluster: 'c03', hops: [] },
  { cluster: 'c04', hops: [{ from: '4.0.3', to: '4.2.1' }] },
];

describe('the rehearsal', () => {
  it('takes the median of the durations measured for each hop', () => {
    // Act / Assess
    expect(hopMedians(durations.samples)).toEqual(new Map([['4.0.3->4.2.1', 700]]));
    expect(
      hopMedians([
        { from: 'a', to: 'b', seconds: 10 },
        { from: 'a', to: 'b', seconds: 20 },
      ]).get('a->b'),
    ).toBe(15);
  });

  it('predicts each cluster and an ETA per wave from measured hops, estimates for the others', () => {
    // Prepare
    const rolloutStrategy = strategy({
      canary: 1,
      maxConcurrency: 2,
      bakeSeconds: 600,
      approval: 'after-canary',
    });
    // Act
    const rehearsal = rehearse({
      waves: planWaves(fleet, rolloutStrategy),
      forecasts,
      strategy: rolloutStrategy,
      durations,
      now,
    });
    // Assess
    const [canary, rest] = rehearsal.waves;
    expect(canary?.clusters).toEqual([
      {
        name: 'c00',
        hops: [{ from: '4.0.3', to: '4.2.1' }],
        seconds: 760,
        measured: true,
        startsAt: '2026-03-02T10:00:00.000Z',
        endsAt: '2026-03-02T10:12:40.000Z',
      },
    ]);
    expect(canary?.completesAt).toBe('2026-03-02T10:22:40.000Z');
    expect(rest?.waitsForApproval).toBe(true);
    expect(rest?.clusters.map((c) => [c.name, c.seconds, c.measured, c.blocked])).toEqual([
      ['c01', 1960, false, undefined],
      ['c02', 60, true, 'Redis cache/orders is Error'],
      ['c03', 60, true, undefined],
      ['c04', 760, true, undefined],
    ]);
    // c01 runs 10:22:40-10:55:20 in one slot; c02, c03, c04 follow in the other until 10:37:00.
    expect(rest?.jobsDoneAt).toBe('2026-03-02T10:55:20.000Z');
    expect(rehearsal.eta).toBe('2026-03-02T11:05:20.000Z');
    expect(rehearsal.notes).toEqual([
      'times after a wave that waits for approval assume it is approved as soon as it may start',
    ]);
  });

  it('says when the strategy would halt the batch on what the clusters would do', () => {
    // Prepare
    const rolloutStrategy = strategy({ canary: 1, failureBudget: { maxFailed: 1, countBlocked: true } });
    const blocking: ClusterForecast[] = fleet.map((c, i) =>
      i % 2 === 0 ? { cluster: c.name, blocked: 'stale backup' } : { cluster: c.name, hops: [] },
    );
    // Act
    const rehearsal = rehearse({
      waves: planWaves(fleet, rolloutStrategy),
      forecasts: blocking,
      strategy: rolloutStrategy,
      durations,
      now,
    });
    // Assess
    expect(rehearsal.notes).toEqual([
      'every canary would block (c00): the batch would halt after the canary wave',
      '3 clusters would block and blocked ones count against a budget of 1: the batch would halt at c02',
    ]);
  });

  it('leaves the clusters skipBusy would skip out of the waves and the budget; a skipped canary proves nothing', () => {
    // Prepare: the canary c00 and c02 have active jobs; blocked clusters count, none tolerated
    const rolloutStrategy = strategy({
      canary: 1,
      skipBusy: true,
      failureBudget: { maxFailed: 0, countBlocked: true },
    });
    const busy: ClusterForecast[] = fleet.map((c, i) =>
      i % 2 === 0 && i < 3
        ? { cluster: c.name, skipped: 'upgrade job j is validating' }
        : { cluster: c.name, hops: [] },
    );
    // Act
    const rehearsal = rehearse({
      waves: planWaves(fleet, rolloutStrategy),
      forecasts: busy,
      strategy: rolloutStrategy,
      durations,
      now,
    });
    // Assess
    expect(rehearsal.waves.map((wave) => wave.clusters.map((c) => c.name))).toEqual([
      [],
      ['c01', 'c03', 'c04'],
    ]);
    expect(rehearsal.notes).toEqual([
      'every canary would be skipped (c00): the batch would halt after the canary wave',
      '2 clusters would be skipped (strategy.skipBusy): c00 (upgrade job j is validating), c02 (upgrade job j is validating)',
    ]);
  });
});
