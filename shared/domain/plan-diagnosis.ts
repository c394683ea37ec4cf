/**
 * Explanations for a refused plan. "No path" alone is useless at 3 a.m.: relaxing the hop rules
 * in the smallest combinations that open a path names exactly which rule cut it, on which hop,
 * and what the operator can do about it.
 */
import semver from 'semver';
import type { CatalogEntry } from '#domain/catalog.ts';
import type { CatalogIndex } from '#domain/catalog-index.ts';
import { PlanError } from '#domain/errors.ts';
import { HOP_RULES, type HopRule, UpgradeGraph } from '#domain/upgrade-graph.ts';

export interface RuleViolation {
  rule: HopRule;
  from: string;
  to: string;
  message: string;
}

const RULE_LABEL: Record<HopRule, string> = {
  from: 'tested-source ranges (from)',
  platform: 'ACP platform ranges',
  blocked: 'blocked versions',
  'earliest-minor': 'the earliest-minor rule for major hops',
  prerelease: 'the rule that pre-releases are never intermediate hops',
};

const RULE_ADVICE: Record<HopRule, (platform: string | undefined) => string> = {
  from: () => 'ask the vendor for a tested path, or add the missing intermediate release to the catalog',
  platform: (platform) => `bring the ACP platform (now ${platform}) into the range those versions support`,
  blocked: () => 'wait for a fixed release to be added to the catalog',
  'earliest-minor': () =>
    'ask the vendor for a tested path; set majorUpgrade to "any" only if the vendor guide allows skipping the earliest minor',
  prerelease: () => 'wait for the final release',
};

/** How many violating hops the one-line message quotes; all are in `details`. */
const VIOLATIONS_IN_MESSAGE = 3;

function describe(graph: UpgradeGraph, rule: HopRule, from: string, entry: CatalogEntry): string {
  const to = entry.version;
  switch (rule) {
    case 'from':
      return `${to} is only tested from ${entry.from}, not ${from}`;
    case 'platform':
      return `${to} needs ACP ${entry.platform}`;
    case 'blocked':
      return `${to} is blocked ("${entry.blocked}")`;
    case 'earliest-minor': {
      const major = semver.major(to);
      return `${from} -> ${to} skips ${major}.${graph.earliestMinor(major)}, the earliest ${major}.x minor`;
    }
    case 'prerelease':
      return `${to} is a pre-release`;
  }
}

function violationsOf(
  graph: UpgradeGraph,
  source: string,
  path: CatalogEntry[],
  rules: HopRule[],
): RuleViolation[] {
  return path.flatMap((entry, index) => {
    const from = index === 0 ? source : (path[index - 1] as CatalogEntry).version;
    return graph
      .hopViolations(from, entry)
      .filter((rule) => rules.includes(rule))
      .map((rule) => ({ rule, from, to: entry.version, message: describe(graph, rule, from, entry) }));
  });
}

function subsetsOfSize<T>(items: readonly T[], size: number): T[][] {
  if (size === 0) return [[]];
  return items.flatMap((item, index) =>
    subsetsOfSize(items.slice(index + 1), size - 1).map((rest) => [item, ...rest]),
  );
}

function missingMajors(index: CatalogIndex, from: string, to: string): number[] {
  const present = new Set(index.ascending.map((item) => item.version.major));
  const missing: number[] = [];
  for (let major = semver.major(from) + 1; major < semver.major(to); major++) {
    if (!present.has(major)) missing.push(major);
  }
  return missing;
}

interface Cut {
  rules: HopRule[];
  violations: RuleViolation[];
}

/** The smallest sets of rules whose relaxation would open a path (usually exactly one rule). */
function findCuts(index: CatalogIndex, source: string, target: CatalogEntry): Cut[] {
  const applicable = HOP_RULES.filter(
    (rule) =>
      (rule !== 'platform' || index.platform !== undefined) &&
      (rule !== 'earliest-minor' || index.policy === 'earliest-minor'),
  );
  for (let size = 1; size <= applicable.length; size++) {
    const cuts = subsetsOfSize(applicable, size).flatMap((rules) => {
      const graph = new UpgradeGraph({ index, target, relaxed: new Set(rules) });
      const path = graph.shortestPath(source);
      return path === undefined ? [] : [{ rules, violations: violationsOf(graph, source, path, rules) }];
    });
    if (cuts.length > 0) return cuts;
  }
  return [];
}

export function explainNoPath(index: CatalogIndex, source: string, target: CatalogEntry): PlanError {
  const { platform } = index;
  const head = `no supported path from ${source} to ${target.version}`;
  // A hop crosses at most one major whatever is relaxed, so a missing major is the whole story
  // (and with none missing, relaxing every rule opens a path: some cut exists).
  const missing = missingMajors(index, source, target.version);
  if (missing.length > 0) {
    const majors = missing.map((major) => `${major}.x`).join(', ');
    return new PlanError(
      'NO_PATH',
      `${head}: the catalog has no ${majors} release and a hop crosses at most one major; add the ${majors} releases the vendor guide requires to the catalog`,
      { details: { from: source, to: target.version, platform, missingMajors: missing } },
    );
  }
  const cuts = findCuts(index, source, target);
  const explained = cuts.map((cut) => {
    const shown = cut.violations.slice(0, VIOLATIONS_IN_MESSAGE).map((violation) => violation.message);
    const more = cut.violations.length > VIOLATIONS_IN_MESSAGE ? ', ...' : '';
    return `${cut.rules.map((rule) => RULE_LABEL[rule]).join(' together with ')} (${shown.join('; ')}${more})`;
  });
  const advice = [...new Set(cuts.flatMap((cut) => cut.rules))].map((rule) => RULE_ADVICE[rule](platform));
  return new PlanError(
    'NO_PATH',
    `${head}: cut by ${explained.join('; or by ')}. Next: ${advice.join('; or ')}`,
    {
      details: { from: source, to: target.version, platform, cuts },
    },
  );
}

/**
 * The catalog version nearest to `target` (the next newer ones first, then older ones) that is
 * not blocked, not a pre-release and has a supported path from `source` on the index's platform.
 */
export function nearestReachable(
  index: CatalogIndex,
  source: string,
  target: CatalogEntry,
): string | undefined {
  // Every candidate sees the same graph (no pre-release waiver applies to it), so one search serves all.
  const reachable = new UpgradeGraph({ index, target }).reachableFrom(source);
  const candidates = index.ascending.filter(
    (item) => item.entry !== target && item.forbiddenBy.length === 0 && item.version.compare(source) > 0,
  );
  const at = candidates.findIndex((item) => item.version.compare(target.version) > 0);
  const newer = at === -1 ? [] : candidates.slice(at);
  const older = candidates.slice(0, at === -1 ? candidates.length : at).reverse();
  return [...newer, ...older].find((item) => reachable.has(item.entry))?.entry.version;
}
