/**
 * The planner against an oracle written straight from docs/architecture.md §2: enumerate every path on
 * small generated catalogs, keep the shortest, break ties by the newest versions hop by hop.
 */
import fc from 'fast-check';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import type { Catalog, CatalogEntry } from '#domain/catalog.ts';
import { PlanError } from '#domain/errors.ts';
import { planUpgrade, type UpgradePlan } from '#domain/planner.ts';
import { catalogOf, type EntrySpec } from '#test/domain/catalog-fixtures.ts';

type Rule = 'from' | 'platform' | 'blocked' | 'earliest-minor' | 'prerelease';

interface Scenario {
  catalog: Catalog;
  from: string;
  to: string;
  platform?: string;
  includePrerelease: boolean;
}

interface Oracle extends Scenario {
  relaxed: ReadonlySet<Rule>;
}

const ORDER = { includePrerelease: true };

function takeable(o: Oracle, entry: CatalogEntry): boolean {
  if (entry.blocked !== undefined && !o.relaxed.has('blocked')) return false;
  if (o.platform !== undefined && entry.platform !== undefined && !o.relaxed.has('platform')) {
    if (!semver.satisfies(o.platform, entry.platform, ORDER)) return false;
  }
  const isTarget = entry.version === o.to;
  const prerelease = semver.prerelease(entry.version) !== null;
  if (prerelease && !(isTarget && o.includePrerelease) && !o.relaxed.has('prerelease')) return false;
  return true;
}

function hopAllowed(o: Oracle, v: string, w: CatalogEntry): boolean {
  if (!takeable(o, w) || !semver.gt(w.version, v)) return false;
  if (w.from !== undefined && !o.relaxed.has('from') && !semver.satisfies(v, w.from, ORDER)) return false;
  const [vMajor, wMajor] = [semver.major(v), semver.major(w.version)];
  if (wMajor === vMajor) return true;
  if (wMajor !== vMajor + 1) return false;
  if (o.catalog.majorUpgrade === 'any' || o.relaxed.has('earliest-minor')) return true;
  const minors = o.catalog.versions
    .filter((x) => takeable(o, x) && semver.major(x.version) === wMajor)
    .map((x) => semver.minor(x.version));
  return semver.minor(w.version) === Math.min(...minors);
}

/** Every path from `from` to `to`, by brute force (versions only go up, so it terminates). */
function allPaths(o: Oracle): string[][] {
  const paths: string[][] = [];
  const walk = (at: string, path: string[]) => {
    if (at === o.to) {
      paths.push(path);
      return;
    }
    for (const w of o.catalog.versions) if (hopAllowed(o, at, w)) walk(w.version, [...path, w.version]);
  };
  walk(o.from, []);
  return paths;
}

/** Newest first at the first differing hop. */
function newerFirst(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) {
    const order = semver.rcompare(a[i] as string, b[i] as string);
    if (order !== 0) return order;
  }
  return 0;
}

function expectedPath(o: Oracle): string[] | undefined {
  const paths = allPaths(o);
  const fewest = Math.min(...paths.map((path) => path.length));
  return paths.filter((path) => path.length === fewest).sort(newerFirst)[0];
}

/** A value present with probability `chance` (the rest of the time absent). */
const sometimes = <T>(arb: fc.Arbitrary<T>, chance: number): fc.Arbitrary<T | undefined> =>
  fc.oneof(
    { arbitrary: fc.constant(undefined), weight: Math.round((1 - chance) * 100) },
    { arbitrary: arb, weight: Math.round(chance * 100) },
  );

const releaseArb = fc
  .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 }))
  .map(([major, minor, patch]) => `${major}.${minor}.${patch}`);

const versionArb = fc
  .tuple(releaseArb, sometimes(fc.constantFrom('-rc.1', '-beta.2'), 0.15))
  .map(([release, pre]) => `${release}${pre ?? ''}`);

/** Sources lean to major 1, so that many plans need several hops. */
const sourceArb = fc.oneof({ arbitrary: versionArb.map((v) => `1${v.slice(1)}`), weight: 2 }, versionArb);

const rangeArb = fc.oneof(
  releaseArb.map((v) => `>=${v}`),
  releaseArb.map((v) => `<${v}`),
  fc.constantFrom('>=1.1.0 <2.1.0', '>=2.0.0 <3.0.0', '^1.0.0', '~2.1.0'),
);

const entryArb: fc.Arbitrary<EntrySpec> = fc
  .record({
    version: versionArb,
    blocked: sometimes(fc.constant('withdrawn'), 0.1),
    from: sometimes(rangeArb, 0.25),
    platform: sometimes(fc.constantFrom('>=1.0.0 <1.5.0', '>=1.2.0', '<2.0.0', '>=2.0.0'), 0.3),
  })
  // Absent, not `undefined`: the shape a parsed catalog has.
  .map(({ version, blocked, from, platform }) => ({
    version,
    ...(blocked === undefined ? {} : { blocked }),
    ...(from === undefined ? {} : { from }),
    ...(platform === undefined ? {} : { platform }),
  }));

/** Mostly upgrades: the target is drawn from the versions above the source when there are any. */
const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    specs: fc.uniqueArray(entryArb, { selector: (spec) => spec.version, minLength: 1, maxLength: 12 }),
    policy: fc.constantFrom('earliest-minor' as const, 'any' as const),
    from: sourceArb,
    targetIndex: fc.nat(),
    platform: sometimes(fc.constantFrom('1.0.0', '1.3.0', '2.5.0'), 0.6),
    includePrerelease: fc.boolean(),
  })
  .map(({ specs, policy, from, targetIndex, platform, includePrerelease }) => {
    const catalog = catalogOf(specs, policy);
    const above = catalog.versions.filter((entry) => semver.gt(entry.version, from));
    const pool = above.length > 0 ? above : catalog.versions;
    const to = (pool[targetIndex % pool.length] as CatalogEntry).version;
    return { catalog, from, to, includePrerelease, ...(platform === undefined ? {} : { platform }) };
  });

function plan(s: Scenario): UpgradePlan | PlanError {
  try {
    return planUpgrade(s.catalog, s.from, s.to, {
      platform: s.platform,
      includePrerelease: s.includePrerelease,
    });
  } catch (error) {
    if (error instanceof PlanError) return error;
    throw error;
  }
}

const strict = (s: Scenario): Oracle => ({ ...s, relaxed: new Set() });

function checkPlan(s: Scenario, result: UpgradePlan | PlanError): void {
  if (semver.eq(s.from, s.to)) {
    expect(result).toMatchObject({ hops: [] });
    return;
  }
  if (semver.lt(s.to, s.from)) {
    expect(result).toMatchObject({ code: 'DOWNGRADE' });
    return;
  }
  const expected = expectedPath(strict(s));
  if (expected === undefined) {
    expect(result).toBeInstanceOf(PlanError);
    expect(['NO_PATH', 'BLOCKED_VERSION', 'PLATFORM_UNSUPPORTED']).toContain((result as PlanError).code);
    return;
  }
  expect(result).not.toBeInstanceOf(PlanError);
  const hops = (result as UpgradePlan).hops;
  expect(hops.map((hop) => hop.to)).toEqual(expected);
  expect(hops.at(-1)?.to).toBe(s.to);
  hops.forEach((hop, index) => {
    expect(hop.from).toBe(index === 0 ? s.from : hops[index - 1]?.to);
    const target = s.catalog.versions.find((entry) => entry.version === hop.to) as CatalogEntry;
    expect(hopAllowed(strict(s), hop.from, target)).toBe(true);
    expect(hop.csv).toBe(target.csv);
  });
}

const ALL_RULES: Rule[] = ['from', 'platform', 'blocked', 'earliest-minor', 'prerelease'];

/** Returns whether the scenario was a searched NO_PATH (so the caller can tell the test is not vacuous). */
function checkNoPathExplanation(s: Scenario, result: UpgradePlan | PlanError): boolean {
  if (!(result instanceof PlanError) || result.code !== 'NO_PATH') return false;
  const details = result.details as { cuts?: { rules: Rule[] }[]; missingMajors?: number[] };
  if (details.cuts !== undefined) {
    expect(details.cuts).not.toEqual([]);
    for (const cut of details.cuts) expect(expectedPath({ ...s, relaxed: new Set(cut.rules) })).toBeDefined();
    return true;
  }
  if (details.missingMajors !== undefined) {
    expect(details.missingMajors).not.toEqual([]);
    expect(expectedPath({ ...s, relaxed: new Set(ALL_RULES) })).toBeUndefined();
    return true;
  }
  return false;
}

/** docs/architecture.md's "nearest unblocked version with a supported path": newer ones first (nearest first), then older. */
function expectedAlternative(s: Scenario): string | undefined {
  const candidates = s.catalog.versions
    .map((entry) => entry.version)
    .filter(
      (v) =>
        v !== s.to &&
        semver.gt(v, s.from) &&
        semver.prerelease(v) === null &&
        s.catalog.versions.find((entry) => entry.version === v)?.blocked === undefined,
    );
  const newer = candidates.filter((v) => semver.gt(v, s.to)).sort(semver.compare);
  const older = candidates.filter((v) => semver.lt(v, s.to)).sort(semver.rcompare);
  return [...newer, ...older].find((v) => expectedPath(strict({ ...s, to: v })) !== undefined);
}

describe('planUpgrade over generated catalogs', () => {
  it('returns exactly the shortest, newest-first path the rules allow, or refuses when none exists', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        // Act
        const result = plan(s);

        // Assess
        checkPlan(s, result);
      }),
      { numRuns: 2000 },
    );
  });

  it('NO_PATH names rules whose relaxation really opens a path, or a major no relaxation bridges', () => {
    let explained = 0;
    fc.assert(
      fc.property(scenarioArb, (s) => {
        // Act
        const result = plan(s);

        // Assess
        if (checkNoPathExplanation(s, result)) explained++;
      }),
      { numRuns: 2000 },
    );
    expect(explained).toBeGreaterThan(200);
  });

  it('BLOCKED_VERSION and PLATFORM_UNSUPPORTED suggest the nearest version that has a path', () => {
    let suggested = 0;
    fc.assert(
      fc.property(scenarioArb, (s) => {
        // Act
        const result = plan(s);

        // Assess
        if (!(result instanceof PlanError)) return;
        if (result.code !== 'BLOCKED_VERSION' && result.code !== 'PLATFORM_UNSUPPORTED') return;
        const alternative = expectedAlternative(s);
        expect(result.details?.alternative).toBe(alternative);
        if (alternative !== undefined) suggested++;
      }),
      { numRuns: 2000 },
    );
    expect(suggested).toBeGreaterThan(50);
  });
});
