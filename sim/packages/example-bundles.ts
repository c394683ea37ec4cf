/**
 * The upgrade graph the vendor ships in each example package's bundle, written the way the vendor's
 * upgrade guide reads (docs/architecture.md §2): a release upgrades directly from every older release of its
 * major, the earliest minor of a major also from the previous major, always within its `from`
 * range. Each bundle says so three ways, as OLM bundles commonly do:
 *
 * - `spec.replaces`: the previous release on its channel (the channel's replacement chain),
 *   passing over withdrawn (`blocked`) releases as OLM's docs show for a bad release;
 * - `spec.skips`: every other release it upgrades from directly. OLM drops skipped bundles from the
 *   chain, so a catalog holding only some releases (an ACP catalog holds what was uploaded to it)
 *   still has a single channel head;
 * - `olm.skipRange`: the same sources as a semver range, which also admits releases older than
 *   the package list.
 *
 * This is the vendor's graph, computed from the release list alone: the simulator never asks the
 * upgrader's planner, so scenarios can make the two disagree.
 */
import semver from 'semver';
import { type Bundle, bundleImage, ownedCrds } from './bundle.ts';

export interface Release {
  version: string;
  csv: string;
  channel: string;
  /** Versions this release was tested from (semver range). */
  from?: string | undefined;
  /** Why the release was withdrawn: later releases replace the one before it and skip it. */
  blocked?: string | undefined;
}

const DEFAULT_CHANNEL = 'stable';

export type BundleGraph = Pick<Bundle, 'replaces' | 'skips' | 'skipRange'>;

/** A bundle of `pkg` at `version` on `channel` with the given graph. */
export function bundleOf(pkg: string, version: string, channel: string, graph: BundleGraph): Bundle {
  return {
    package: pkg,
    csv: `${pkg}.v${version}`,
    version,
    channels: [channel],
    defaultChannel: DEFAULT_CHANNEL,
    ...graph,
    image: bundleImage(pkg, version),
    objects: ownedCrds(pkg).map((crd) => ({
      group: 'apiextensions.k8s.io',
      version: 'v1',
      kind: 'CustomResourceDefinition',
      name: crd.name,
    })),
  };
}

const compare = (a: Release, b: Release) => semver.compare(a.version, b.version);

function lowestMinor(releases: Release[], major: number): number {
  return Math.min(
    ...releases.filter((r) => semver.major(r.version) === major).map((r) => semver.minor(r.version)),
  );
}

/** True when the vendor supports upgrading straight from `source` to `target`. */
function upgradesFrom(releases: Release[], target: Release, source: string): boolean {
  if (!semver.lt(source, target.version)) return false;
  const major = semver.major(target.version);
  const opensMajor = semver.minor(target.version) === lowestMinor(releases, major);
  const sourceMajor = semver.major(source);
  const allowed = sourceMajor === major || (opensMajor && sourceMajor === major - 1);
  return allowed && (!target.from || semver.satisfies(source, target.from, { includePrerelease: true }));
}

/** The same sources as a range: `from` when given (each of its alternatives), else the majors allowed. */
function skipRangeOf(releases: Release[], target: Release): string {
  const below = `<${target.version}`;
  if (target.from) {
    return new semver.Range(target.from).set
      .map((comparators) => [...comparators.map((c) => c.value).filter(Boolean), below].join(' '))
      .join(' || ');
  }
  const major = semver.major(target.version);
  const opensMajor = semver.minor(target.version) === lowestMinor(releases, major) && major > 0;
  return `>=${opensMajor ? major - 1 : major}.0.0 ${below}`;
}

function vendorGraph(releases: Release[], target: Release): BundleGraph {
  const sorted = [...releases].sort(compare);
  const replaces = sorted
    .filter((r) => r.channel === target.channel && !r.blocked && semver.lt(r.version, target.version))
    .at(-1)?.csv;
  const skips = sorted
    .filter((r) => r.csv !== replaces && upgradesFrom(sorted, target, r.version))
    .map((r) => r.csv);
  return { replaces, skips, skipRange: skipRangeOf(sorted, target) };
}

/** One bundle per release of `pkg`, with the vendor's graph. */
export function exampleBundles(pkg: string, releases: Release[]): Bundle[] {
  return releases.map((release) =>
    bundleOf(pkg, release.version, release.channel, vendorGraph(releases, release)),
  );
}
