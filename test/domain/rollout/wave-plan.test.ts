import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '#domain/errors.ts';
import { type BatchRequestInput, batchRequestSchema, type Strategy } from '#domain/rollout/batch-request.ts';
import { matchesSelector } from '#domain/rollout/label-selector.ts';
import { type FleetCluster, planWaves, selectClusters } from '#domain/rollout/wave-plan.ts';
import { fleetOf } from './support/fleet.ts';

const strategy = (input: BatchRequestInput['strategy']): Strategy =>
  batchRequestSchema.parse({ targetVersion: '4.2.1', clusters: ['a'], strategy: input }).strategy;

const shape = (clusters: FleetCluster[], input: BatchRequestInput['strategy']) =>
  planWaves(clusters, strategy(input)).map(
    (wave) => `${wave.label}[${wave.clusters.length}/${wave.maxConcurrency}]`,
  );

const envs = ['dev', 'staging', 'prod', 'prod'];
const fleet = fleetOf(24, (i) => ({
  env: envs[i % 4] ?? 'prod',
  ...(i === 7 ? { 'redis-upgrader/canary': 'true' } : {}),
}));

describe('wave planning', () => {
  it.each([
    [{}, ['wave 1[24/24]']],
    [
      { canary: 1, waveSize: '25%' },
      ['canary[1/1]', 'wave 2[6/6]', 'wave 3[6/6]', 'wave 4[6/6]', 'wave 5[5/5]'],
    ],
    [
      { canary: '10%', waveSize: 10, maxConcurrency: 3 },
      ['canary[3/3]', 'wave 2[10/3]', 'wave 3[10/3]', 'wave 4[1/1]'],
    ],
    [{ waveSize: '30%', maxConcurrency: '50%' }, ['wave 1[8/4]', 'wave 2[8/4]', 'wave 3[8/4]']],
    [{ canary: 30 }, ['canary[24/24]']],
  ])('with %j the waves are %j', (input, expected) => {
    // Act / Assess
    expect(shape(fleet, input)).toEqual(expected);
  });

  it('puts the clusters labelled as canaries first, then the rest in batch order', () => {
    // Act
    const [canary] = planWaves(fleet, strategy({ canary: 3 }));
    // Assess
    expect(canary?.clusters).toEqual(['c07', 'c00', 'c01']);
  });

  it('makes one wave per selector, each cluster in the first that matches, dropping empty ones', () => {
    // Prepare
    const waves = [
      { matchLabels: { env: 'dev' } },
      { matchLabels: { env: 'qa' } },
      { matchExpressions: [{ key: 'env', operator: 'In' as const, values: ['staging', 'dev'] }] },
      {},
    ];
    // Act
    const planned = planWaves(fleet, strategy({ canary: 1, waves, maxConcurrency: 2 }));
    // Assess
    expect(planned.map((wave) => `${wave.label}[${wave.clusters.length}/${wave.maxConcurrency}]`)).toEqual([
      'canary[1/1]',
      'env=dev[6/2]',
      'env in (staging,dev)[6/2]',
      'every cluster[11/2]',
    ]);
    expect(planned[1]?.clusters).toEqual(['c00', 'c04', 'c08', 'c12', 'c16', 'c20']);
  });

  it('refuses a selector list that leaves clusters out, naming them', () => {
    // Act
    const plan = () =>
      planWaves(
        fleet,
        strategy({ waves: [{ matchLabels: { env: 'prod' } }, { matchLabels: { env: 'dev' } }] }),
      );
    // Assess
    expect(plan).toThrow(ValidationError);
    expect(plan).toThrow('strategy.waves: c01, c05, c09, c13, c17, c21 match no wave selector');
  });

  it('refuses a batch of no cluster', () => {
    // Act / Assess
    expect(() => planWaves([], strategy({}))).toThrow('the batch selects no cluster');
  });

  it('selects by name keeping the order given, naming unknown clusters', () => {
    // Act
    const selection = selectClusters({ clusters: ['c03', 'zz', 'c01'] }, fleet);
    // Assess
    expect(selection.clusters.map((c) => c.name)).toEqual(['c03', 'c01']);
    expect(selection.unknown).toEqual(['zz']);
  });

  it('selects by selector in name order', () => {
    // Act
    const selection = selectClusters({ selector: { matchLabels: { env: 'dev' } } }, [...fleet].reverse());
    // Assess
    expect(selection.clusters.map((c) => c.name)).toEqual(['c00', 'c04', 'c08', 'c12', 'c16', 'c20']);
  });
});

const quantity = fc.oneof(
  fc.integer({ min: 1, max: 40 }),
  fc.integer({ min: 1, max: 100 }).map((p) => `${p}%`),
);
const strategyArb = fc.record(
  { canary: quantity, waveSize: quantity, maxConcurrency: quantity },
  { requiredKeys: [] },
);
const fleetArb = fc
  .array(fc.record({ env: fc.constantFrom('dev', 'prod'), canary: fc.boolean() }), {
    minLength: 1,
    maxLength: 60,
  })
  .map((specs) =>
    specs.map((spec, i) => ({
      name: `c${String(i).padStart(2, '0')}`,
      labels: { env: spec.env, ...(spec.canary ? { 'redis-upgrader/canary': 'true' } : {}) },
    })),
  );

describe('wave planning properties', () => {
  it('every cluster is in exactly one wave; no wave is empty; concurrency is within the wave', () => {
    fc.assert(
      fc.property(fleetArb, strategyArb, (clusters, input) => {
        const waves = planWaves(clusters, strategy(input));
        const planned = waves.flatMap((wave) => wave.clusters);
        expect([...planned].sort()).toEqual(clusters.map((c) => c.name).sort());
        for (const wave of waves) {
          expect(wave.clusters.length).toBeGreaterThan(0);
          expect(wave.maxConcurrency).toBeGreaterThanOrEqual(1);
          expect(wave.maxConcurrency).toBeLessThanOrEqual(wave.clusters.length);
        }
      }),
    );
  });

  it('labelled canaries are never left out of the canary wave for unlabelled ones', () => {
    fc.assert(
      fc.property(fleetArb, fc.integer({ min: 1, max: 10 }), (clusters, canary) => {
        const [first] = planWaves(clusters, strategy({ canary }));
        const labelled = (name: string) =>
          clusters.find((c) => c.name === name)?.labels['redis-upgrader/canary'] === 'true';
        const inCanary = first?.clusters ?? [];
        expect(inCanary).toHaveLength(Math.min(canary, clusters.length));
        if (inCanary.some((name) => !labelled(name))) {
          expect(clusters.filter((c) => labelled(c.name)).every((c) => inCanary.includes(c.name))).toBe(true);
        }
      }),
    );
  });

  it('selector waves put each cluster in the first wave whose selector matches it, deterministically', () => {
    fc.assert(
      fc.property(fleetArb, (clusters) => {
        const selectors = [{ matchLabels: { env: 'dev' } }, {}];
        const waves = planWaves(clusters, strategy({ waves: selectors }));
        expect(planWaves(clusters, strategy({ waves: selectors }))).toEqual(waves);
        for (const wave of waves) {
          for (const name of wave.clusters) {
            const labels = clusters.find((c) => c.name === name)?.labels;
            const first = selectors.findIndex((selector) => matchesSelector(selector, labels));
            expect(wave.label).toBe(first === 0 ? 'env=dev' : 'every cluster');
          }
        }
      }),
    );
  });
});
