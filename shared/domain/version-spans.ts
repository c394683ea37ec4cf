/**
 * Semver ranges as runs of a sorted version list. The planner asks "which of these versions does
 * this `from` range admit?" for every catalog entry; testing every version to answer it made
 * planning quadratic in the catalog. Compared by order (includePrerelease), a range is a union of
 * comparator sets, each an intersection of bounds, so over sorted versions each set admits one
 * contiguous run, found by binary search with semver's own comparators.
 */
import semver, { type Comparator, type Range, type SemVer } from 'semver';

/** Sources and platforms may be pre-releases themselves (a cluster on an rc); ranges compare them by order. */
export const ORDER = { includePrerelease: true } as const;

/** An inclusive run [first, last] of indices into a sorted version list. */
export type Span = readonly [first: number, last: number];

export function parseRange(range: string): Range {
  return new semver.Range(range, ORDER);
}

/**
 * Whether `comparator` admits `version`. Not Comparator.test: under includePrerelease it re-parses
 * its own bound on every call, which dominated the planner's profile.
 */
function admits(comparator: Comparator, version: SemVer): boolean {
  // An empty value is semver's "any version" comparator.
  return comparator.value === '' || semver.cmp(version, comparator.operator, comparator.semver);
}

/** Range.test by order (includePrerelease), without re-parsing anything. */
export function satisfiesByOrder(range: Range, version: SemVer): boolean {
  return range.set.some((comparators) => comparators.every((comparator) => admits(comparator, version)));
}

/** The first index in [low, high) where `passes` holds, given it fails then holds along the way; `high` if never. */
export function firstPassing(low: number, high: number, passes: (index: number) => boolean): number {
  let [lo, hi] = [low, high];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (passes(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** `>`/`>=` admit a suffix of sorted versions, `<`/`<=` a prefix, equality ('') a run of at most one. */
function comparatorSpan(
  comparator: Comparator,
  versionAt: (index: number) => SemVer,
  [first, last]: Span,
): Span {
  const { operator, value } = comparator;
  if (value === '') return [first, last];
  const end = last + 1;
  if (operator === '') {
    const start = firstPassing(first, end, (i) => versionAt(i).compare(comparator.semver) >= 0);
    return [start, firstPassing(start, end, (i) => versionAt(i).compare(comparator.semver) > 0) - 1];
  }
  if (operator.startsWith('>'))
    return [firstPassing(first, end, (i) => admits(comparator, versionAt(i))), last];
  return [first, firstPassing(first, end, (i) => !admits(comparator, versionAt(i))) - 1];
}

/**
 * The runs of `within` (indices into a list sorted oldest first) whose versions satisfy `range`
 * by order. Runs of different comparator sets may overlap; none is empty.
 */
export function rangeSpans(range: Range, versionAt: (index: number) => SemVer, within: Span): Span[] {
  return range.set.flatMap((comparators) => {
    let span: Span = within;
    for (const comparator of comparators) {
      span = comparatorSpan(comparator, versionAt, span);
      if (span[0] > span[1]) return [];
    }
    return [span];
  });
}
