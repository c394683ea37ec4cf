import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '#domain/errors.ts';
import { loadScenario, parseScenario, resolveScenario, type ScenarioCluster } from '#sim/scenario.ts';

const examples = resolve(import.meta.dirname, '../../../examples/scenarios');

function byName(clusters: ScenarioCluster[], name: string): ScenarioCluster {
  const found = clusters.find((c) => c.name === name);
  if (!found) throw new Error(`no cluster ${name}`);
  return found;
}

describe('scenario files', () => {
  it('resolves the demo: a dozen clusters over two platforms, one unhealthy, one with stale backups', async () => {
    // Prepare
    const scenario = await loadScenario(resolve(examples, 'demo.yaml'));

    // Act
    const resolved = resolveScenario(scenario);

    // Assess
    const [east, west] = resolved.platforms;
    expect(east?.token).toBe('demo-east-token-0001');
    expect(east?.clusters).toHaveLength(8);
    expect(west?.clusters.map((c) => c.name)).toEqual([
      'cluster-09',
      'cluster-10',
      'cluster-11',
      'cluster-12',
    ]);
    const all = resolved.platforms.flatMap((p) => p.clusters);
    expect(all.filter((c) => c.spec.instances.some((i) => !i.healthy)).map((c) => c.name)).toEqual([
      'cluster-04',
    ]);
    expect(byName(all, 'cluster-04').spec.instances.map((i) => i.name)).toEqual([
      'redis-1',
      'redis-2',
      'failover-1',
    ]);
    expect(byName(all, 'cluster-09').spec.backupAgeSeconds).toBe(3 * 86_400);
    expect(all.filter((c) => (c.spec.backupAgeSeconds ?? Infinity) > 12 * 3600).map((c) => c.name)).toEqual([
      'cluster-09',
    ]);
    expect(byName(all, 'cluster-03').labels).toEqual({ env: 'staging', region: 'eu-west' });
    expect(byName(all, 'cluster-03').spec.platformVersion).toBe('3.20.1');
    expect(byName(all, 'cluster-01').spec).toMatchObject({
      installedVersion: '3.16.2',
      approval: 'Manual',
      syncDelayMs: 15 * 60_000,
      installTimeMs: 120_000,
    });
    expect(resolved.speed).toBe(300);
    expect(resolved.warnings).toEqual([]);
  });

  it('resolves the faults example with one cluster per failure mode', async () => {
    const resolved = resolveScenario(await loadScenario(resolve(examples, 'faults.yaml')));
    const all = resolved.platforms.flatMap((p) => p.clusters);
    expect(all.every((c) => c.faults.conflict409Rate === 0.1 && c.faults.retryAfterSeconds === 1)).toBe(true);
    expect(byName(all, 'flaky-02').spec.failInstall).toBe(true);
    expect(byName(all, 'flaky-03').failUpload).toBe(true);
    expect(byName(all, 'flaky-04').spec.traps).toEqual({ mergedPlan: true });
    expect(byName(all, 'flaky-05').spec.catalog).toEqual({ uploaded: ['3.18.2'] });
    expect(byName(all, 'flaky-07').spec.failUnpack).toBe(true);
    expect(byName(all, 'flaky-08').spec.catalog?.bundles).toEqual({
      '4.0.3': { skipRange: '>=3.18.0 <4.0.3', skips: [] },
    });
    const syncDelay = byName(all, 'flaky-06').spec.syncDelayMs;
    expect(syncDelay).toBeGreaterThanOrEqual(20 * 60_000);
    expect(syncDelay).toBeLessThanOrEqual(40 * 60_000);
  });

  it('draws the same fleet for the same seed and a different one for another seed', () => {
    const scenario = parseScenario({ defaults: { backupAge: ['1h', '20h'] } });
    const first = resolveScenario(scenario, { clusters: 20, seed: 5 });
    const again = resolveScenario(scenario, { clusters: 20, seed: 5 });
    const other = resolveScenario(scenario, { clusters: 20, seed: 6 });
    expect(again).toEqual(first);
    expect(other.platforms[0]?.clusters.map((c) => c.spec)).not.toEqual(
      first.platforms[0]?.clusters.map((c) => c.spec),
    );
  });

  it('lets --clusters override the count and warns about groups naming clusters it no longer has', async () => {
    const resolved = resolveScenario(await loadScenario(resolve(examples, 'demo.yaml')), { clusters: 5 });
    expect(resolved.platforms.flatMap((p) => p.clusters)).toHaveLength(5);
    expect(resolved.warnings).toEqual(['groups[2] names cluster-09, which this run does not have']);
  });

  it('defaults to one platform and three clusters with zero-padded names', () => {
    const resolved = resolveScenario(parseScenario(undefined));
    expect(resolved.platforms).toHaveLength(1);
    expect(resolved.platforms[0]?.name).toBe('acp');
    expect(resolved.platforms[0]?.clusters.map((c) => c.name)).toEqual([
      'cluster-01',
      'cluster-02',
      'cluster-03',
    ]);
    expect(resolved.platforms[0]?.token).toMatch(/^sim-acp-[0-9a-f]+$/);
  });

  it('accepts durations as seconds or with a unit', () => {
    const resolved = resolveScenario(
      parseScenario({ defaults: { syncDelay: 90, installTime: '500ms', backupTime: '2h' } }),
    );
    expect(resolved.platforms[0]?.clusters[0]?.spec).toMatchObject({
      syncDelayMs: 90_000,
      installTimeMs: 500,
      backupTimeMs: 7_200_000,
    });
  });

  it.each([
    [{ defaults: { installedVersion: 'latest' } }, /defaults\.installedVersion: not a semantic version/],
    [{ defaults: { syncDelay: '15 minutes' } }, /defaults\.syncDelay/],
    [{ defaults: { faults: { error500Rate: 2 } } }, /defaults\.faults\.error500Rate/],
    [{ groups: [{ match: {}, set: {} }] }, /groups\.0\.match: match needs names, labels or platform/],
    [{ defaults: { colour: 'blue' } }, /defaults: Unrecognized key: "colour"/],
    [{ platforms: [{ name: 'East_1' }] }, /platforms\.0\.name/],
    [
      { outages: [{ platform: 'west', after: '1m', duration: '20s' }] },
      /outages\.0\.platform: no platform west in this scenario \(it has acp\)/,
    ],
    [
      {
        outages: [
          { platform: 'acp', after: '1m', duration: '20s' },
          { platform: 'acp', after: '70s', duration: '5s' },
        ],
      },
      /outages\.1: overlaps outages\[0\] of platform acp/,
    ],
    [{ outages: [{ platform: 'acp', after: '1m', duration: 0 }] }, /outages\.0\.duration: an outage lasts/],
    [
      { outages: [{ platform: 'acp', after: '1m', duration: '2d' }] },
      /outages\.0\.duration: an outage lasts/,
    ],
    [{ outages: [{ platform: 'acp', after: '1m', duration: '5s', mode: 'flaky' }] }, /outages\.0\.mode/],
    [
      { defaults: { catalog: { uploaded: ['4.1'] } } },
      /defaults\.catalog\.uploaded\.0: not a semantic version/,
    ],
    [
      { defaults: { catalog: { bundles: { '4.1.2': { skipRange: 'from 4.0' } } } } },
      /defaults\.catalog\.bundles\.4\.1\.2\.skipRange: not a semver range/,
    ],
    [
      { defaults: { catalog: { bundles: { '4.1.2': { replaces: '4.1.1' } } } } },
      /defaults\.catalog\.bundles\.4\.1\.2\.replaces: not a CSV name/,
    ],
  ])('refuses an invalid scenario, naming the field (%j)', (input, message) => {
    expect(() => parseScenario(input)).toThrow(ConfigError);
    expect(() => parseScenario(input)).toThrow(message);
  });

  it('reads platform outages in real milliseconds, unscaled by the speed, 503 unless a mode is given', () => {
    // Act
    const resolved = resolveScenario(
      parseScenario({
        speed: 1000,
        platforms: [{ name: 'east' }, { name: 'west' }],
        outages: [
          { platform: 'east', after: '90s', duration: '20s', mode: 'refuse' },
          { platform: 'west', after: '95s', duration: 0.5 },
          { platform: 'east', after: '110s', duration: '1m', mode: 'mixed' },
        ],
      }),
    );

    // Assess
    expect(resolved.outages).toEqual([
      { platform: 'east', after: 90_000, duration: 20_000, mode: 'refuse' },
      { platform: 'west', after: 95_000, duration: 500, mode: '503' },
      { platform: 'east', after: 110_000, duration: 60_000, mode: 'mixed' },
    ]);
  });

  it('names the file it cannot read', async () => {
    await expect(loadScenario('/nonexistent/scenario.yaml')).rejects.toThrow(
      'cannot read scenario /nonexistent/scenario.yaml: ENOENT',
    );
  });
});
