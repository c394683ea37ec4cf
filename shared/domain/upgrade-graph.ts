/**
 * The hop rules of docs/architecture.md §2 as a graph over catalog versions, and the searches on it. Each
 * rule can be relaxed one by one, which is how the planner finds out which rule cut a path (a
 * relaxed graph is never used to plan, only to explain).
 *
 * The searches never test hops one pair at a time (that is quadratic in the catalog): the versions
 * a hop into w may start from are a few runs of the sorted versions (w's major and, when a major
 * hop may land on w, the one before, cut by w's `from` range), found by binary search.
 */
import semver, { type SemVer } from 'semver';
import type { CatalogEntry } from '#domain/catalog.ts';
import type { CatalogIndex, IndexedVersion } from '#domain/catalog-index.ts';
import { firstPassing, rangeSpans, type Span, satisfiesByOrder } from '#domain/version-spans.ts';

export const HOP_RULES = ['from', 'platform', 'blocked', 'earliest-minor', 'prerelease'] as const;
export type HopRule = (typeof HOP_RULES)[number];

export interface GraphInput {
  index: CatalogIndex;
  target: CatalogEntry;
  relaxed?: ReadonlySet<HopRule>;
}

/**
 * Indices not yet reached by a search, skipping reached ones in near-constant time (path-halving
 * pointers to the next unreached index), so each index is visited once however many runs cover it.
 */
function unreachedIndices(size: number) {
  const next = Int32Array.from({ length: size + 1 }, (_, i) => i);
  return {
    /** The first unreached index >= i (`size` when none). */
    from(i: number): number {
      let at = i;
      while (next[at] !== at) {
        next[at] = next[next[at] as number] as number;
        at = next[at] as number;
      }
      return at;
    },
    reach(i: number): void {
      next[i] = i + 1;
    },
  };
}

export class UpgradeGraph {
  readonly target: CatalogEntry;
  readonly #index: CatalogIndex;
  readonly #relaxed: ReadonlySet<HopRule>;
  /** The versions this cluster may take, oldest first. */
  readonly #nodes: IndexedVersion[];
  /** Per major, the lowest minor among #nodes: where the earliest-minor policy lands a major hop. */
  readonly #earliestMinor = new Map<number, number>();

  constructor(input: GraphInput) {
    this.target = input.target;
    this.#index = input.index;
    this.#relaxed = input.relaxed ?? new Set();
    this.#nodes = input.index.ascending.filter((node) => this.#mayTake(node));
    for (const { version } of this.#nodes) {
      const lowest = this.#earliestMinor.get(version.major);
      if (lowest === undefined || version.minor < lowest)
        this.#earliestMinor.set(version.major, version.minor);
    }
  }

  earliestMinor(major: number): number | undefined {
    return this.#earliestMinor.get(major);
  }

  /** The rules that forbid taking `entry` at all (on any hop), ignoring relaxation. */
  nodeViolations(entry: CatalogEntry): HopRule[] {
    // The explicit target was admitted by the caller (includePrerelease); only intermediates are refused.
    return this.#index.of(entry).forbiddenBy.filter((rule) => rule !== 'prerelease' || entry !== this.target);
  }

  /** The rules that forbid the hop `source -> entry`, ignoring relaxation (w > v is not a rule: it is the order). */
  hopViolations(source: string, entry: CatalogEntry): HopRule[] {
    const rules = this.nodeViolations(entry);
    const node = this.#index.of(entry);
    if (node.from !== undefined && !node.from.test(source)) rules.push('from');
    if (
      this.#index.policy === 'earliest-minor' &&
      node.version.major === semver.major(source) + 1 &&
      !this.#isEarliestMinor(node)
    ) {
      rules.push('earliest-minor');
    }
    return rules;
  }

  /**
   * The path with the fewest hops from `source` to the target, or undefined. Among equally short
   * paths the one with the newest versions wins, compared hop by hop from the source.
   */
  shortestPath(source: string): CatalogEntry[] | undefined {
    const from = new semver.SemVer(source);
    const targetAt = this.#nodes.findIndex((node) => node.entry === this.target);
    if (targetAt === -1) return undefined;
    const floor = this.#firstAbove(from);
    const measured = this.#hopsToTarget(from, floor, targetAt);
    if (measured === undefined) return undefined;
    const { hopsLeft, fromSource } = measured;
    // Every node on a shortest path is measured: walk one, taking the newest next hop each time.
    const byHopsLeft: number[][] = Array.from({ length: fromSource }, () => []);
    for (let i = targetAt; i >= floor; i--) {
      const hops = hopsLeft[i] as number;
      if (hops >= 0 && hops < fromSource) byHopsLeft[hops]?.push(i);
    }
    const path: CatalogEntry[] = [];
    let at = from;
    for (let left = fromSource - 1; left >= 0; left--) {
      const next = this.#node(byHopsLeft[left]?.find((i) => this.#allows(at, this.#node(i))) as number);
      path.push(next.entry);
      at = next.version;
    }
    return path;
  }

  /** Every version reachable from `source` through allowed hops, in one pass oldest first. */
  reachableFrom(source: string): Set<CatalogEntry> {
    const from = new semver.SemVer(source);
    const reached = new Set<CatalogEntry>();
    // reachedBelow[i]: how many of the nodes below index i are reachable.
    const reachedBelow = new Int32Array(this.#nodes.length + 1);
    const floor = this.#firstAbove(from);
    for (let at = floor; at < this.#nodes.length; at++) {
      const node = this.#node(at);
      const reachable =
        this.#allows(from, node) ||
        this.#startsOfHopsInto(at, floor).some(
          ([first, last]) => reachedBelow[last + 1] !== reachedBelow[first],
        );
      reachedBelow[at + 1] = (reachedBelow[at] as number) + (reachable ? 1 : 0);
      if (reachable) reached.add(node.entry);
    }
    return reached;
  }

  /**
   * Breadth-first backwards from the target over nodes [floor, targetAt]: hopsLeft[i] is the
   * fewest hops from node i to the target (-1: not measured), fromSource the same for the source.
   * Stops once the source is reached, when every node nearer the target is measured.
   */
  #hopsToTarget(from: SemVer, floor: number, targetAt: number) {
    const hopsLeft = new Int32Array(targetAt + 1).fill(-1);
    hopsLeft[targetAt] = 0;
    const unreached = unreachedIndices(targetAt + 1);
    unreached.reach(targetAt);
    const queue = [targetAt];
    for (let head = 0; head < queue.length; head++) {
      const at = queue[head] as number;
      const hops = (hopsLeft[at] as number) + 1;
      if (this.#allows(from, this.#node(at))) return { hopsLeft, fromSource: hops };
      for (const [first, last] of this.#startsOfHopsInto(at, floor)) {
        for (let i = unreached.from(first); i <= last; i = unreached.from(i)) {
          hopsLeft[i] = hops;
          unreached.reach(i);
          queue.push(i);
        }
      }
    }
    return undefined;
  }

  #mayTake(node: IndexedVersion): boolean {
    return node.forbiddenBy.every(
      (rule) => this.#relaxed.has(rule) || (rule === 'prerelease' && node.entry === this.target),
    );
  }

  #isEarliestMinor(node: IndexedVersion): boolean {
    return node.version.minor === this.earliestMinor(node.version.major);
  }

  /** Whether a hop from the previous major may land on `node` (the majorUpgrade policy). */
  #landsMajorHop(node: IndexedVersion): boolean {
    return this.#index.policy === 'any' || this.#relaxed.has('earliest-minor') || this.#isEarliestMinor(node);
  }

  #allows(source: SemVer, node: IndexedVersion): boolean {
    if (node.version.compare(source) <= 0) return false;
    const majorStep = node.version.major - source.major;
    if (majorStep !== 0 && (majorStep !== 1 || !this.#landsMajorHop(node))) return false;
    return node.from === undefined || this.#relaxed.has('from') || satisfiesByOrder(node.from, source);
  }

  /** The runs of nodes at or above `floor` from which a hop into node `at` is allowed. */
  #startsOfHopsInto(at: number, floor: number): Span[] {
    const node = this.#node(at);
    const lowestMajor = node.version.major - (this.#landsMajorHop(node) ? 1 : 0);
    const first = firstPassing(floor, at, (i) => this.#node(i).version.major >= lowestMajor);
    if (first >= at) return [];
    if (node.from === undefined || this.#relaxed.has('from')) return [[first, at - 1]];
    return rangeSpans(node.from, (i) => this.#node(i).version, [first, at - 1]);
  }

  #firstAbove(version: SemVer): number {
    return firstPassing(0, this.#nodes.length, (i) => this.#node(i).version.compare(version) > 0);
  }

  #node(index: number): IndexedVersion {
    return this.#nodes[index] as IndexedVersion;
  }
}
