/**
 * The hop rules of DESIGN.md 4.2 as a graph over catalog versions, and the fewest-hops search on
 * it. Each rule can be relaxed one by one, which is how the planner finds out which rule cut a
 * path (a relaxed graph is never used to plan, only to explain).
 */
import semver from 'semver';
import type { Catalog, CatalogEntry } from '#domain/catalog.ts';

export const HOP_RULES = ['from', 'platform', 'blocked', 'earliest-minor', 'prerelease'] as const;
export type HopRule = (typeof HOP_RULES)[number];

export interface GraphInput {
  catalog: Catalog;
  target: CatalogEntry;
  /** The cluster's ACP version; platform ranges are ignored when it is unknown. */
  platform?: string;
  relaxed?: ReadonlySet<HopRule>;
}

// Sources and platforms may be pre-releases themselves (a cluster on an rc); ranges compare them by order.
const ORDER = { includePrerelease: true } as const;

export function isPrerelease(version: string): boolean {
  return semver.prerelease(version) !== null;
}

export function admitsPlatform(entry: CatalogEntry, platform: string | undefined): boolean {
  return (
    platform === undefined ||
    entry.platform === undefined ||
    semver.satisfies(platform, entry.platform, ORDER)
  );
}

export function admitsSource(entry: CatalogEntry, source: string): boolean {
  return entry.from === undefined || semver.satisfies(source, entry.from, ORDER);
}

export class UpgradeGraph {
  readonly target: CatalogEntry;
  readonly platform: string | undefined;
  readonly #policy: Catalog['majorUpgrade'];
  readonly #relaxed: ReadonlySet<HopRule>;
  /** The versions this cluster may take, newest first. */
  readonly #nodes: CatalogEntry[];
  /** Per major, the lowest minor among #nodes: where the earliest-minor policy lands a major hop. */
  readonly #earliestMinor = new Map<number, number>();

  constructor(input: GraphInput) {
    this.target = input.target;
    this.platform = input.platform;
    this.#policy = input.catalog.majorUpgrade;
    this.#relaxed = input.relaxed ?? new Set();
    this.#nodes = input.catalog.versions
      .filter((entry) => this.#mayTake(entry))
      .sort((a, b) => semver.rcompare(a.version, b.version));
    for (const node of this.#nodes) {
      const major = semver.major(node.version);
      const minor = semver.minor(node.version);
      this.#earliestMinor.set(major, Math.min(minor, this.#earliestMinor.get(major) ?? minor));
    }
  }

  earliestMinor(major: number): number | undefined {
    return this.#earliestMinor.get(major);
  }

  /** The rules that forbid taking `entry` at all (on any hop), ignoring relaxation. */
  nodeViolations(entry: CatalogEntry): HopRule[] {
    const rules: HopRule[] = [];
    if (entry.blocked !== undefined) rules.push('blocked');
    if (!admitsPlatform(entry, this.platform)) rules.push('platform');
    // The explicit target was admitted by the caller (includePrerelease); only intermediates are refused.
    if (isPrerelease(entry.version) && entry !== this.target) rules.push('prerelease');
    return rules;
  }

  /** The rules that forbid the hop `source -> entry`, ignoring relaxation (w > v is not a rule: it is the order). */
  hopViolations(source: string, entry: CatalogEntry): HopRule[] {
    const rules = this.nodeViolations(entry);
    if (!admitsSource(entry, source)) rules.push('from');
    if (this.#policy === 'earliest-minor' && semver.major(entry.version) === semver.major(source) + 1) {
      if (semver.minor(entry.version) !== this.earliestMinor(semver.major(entry.version))) {
        rules.push('earliest-minor');
      }
    }
    return rules;
  }

  #mayTake(entry: CatalogEntry): boolean {
    return this.nodeViolations(entry).every((rule) => this.#relaxed.has(rule));
  }

  #allows(source: string, entry: CatalogEntry): boolean {
    if (!semver.gt(entry.version, source)) return false;
    const majorStep = semver.major(entry.version) - semver.major(source);
    if (majorStep !== 0 && majorStep !== 1) return false;
    return this.hopViolations(source, entry).every((rule) => this.#relaxed.has(rule));
  }

  /**
   * The path with the fewest hops from `source` to the target, or undefined. Among equally short
   * paths the one with the newest versions wins, compared hop by hop from the source. Edges only
   * go up, so distances to the target are filled newest-first in one pass (no queue needed).
   */
  shortestPath(source: string): CatalogEntry[] | undefined {
    const target = this.target.version;
    if (!this.#nodes.includes(this.target)) return undefined;
    const between = this.#nodes.filter(
      (node) => semver.gt(node.version, source) && semver.lte(node.version, target),
    );
    const hopsToTarget = new Map<string, number>([[target, 0]]);
    const nextHop = (from: string): CatalogEntry | undefined => {
      let best: CatalogEntry | undefined;
      for (const node of between) {
        const hops = hopsToTarget.get(node.version);
        if (hops === undefined || !this.#allows(from, node)) continue;
        // `between` is newest first, so only a strictly shorter remainder displaces the first find.
        if (best === undefined || hops < (hopsToTarget.get(best.version) ?? Number.POSITIVE_INFINITY))
          best = node;
      }
      return best;
    };
    const choice = new Map<string, CatalogEntry>();
    for (const node of [...between.filter((n) => n !== this.target), { version: source }]) {
      const next = nextHop(node.version);
      if (next === undefined) continue;
      choice.set(node.version, next);
      hopsToTarget.set(node.version, (hopsToTarget.get(next.version) ?? 0) + 1);
    }
    const path: CatalogEntry[] = [];
    for (let step = choice.get(source); step !== undefined; step = choice.get(step.version)) {
      path.push(step);
      if (step === this.target) return path;
    }
    return undefined;
  }
}
