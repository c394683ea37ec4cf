/**
 * A catalog as one cluster sees it, prepared once per plan: versions parsed and sorted, ranges
 * parsed, and the rules that forbid taking a version at all evaluated for the cluster's platform.
 * The planner and its diagnosis build many graphs over the same catalog; re-parsing version
 * strings inside their searches is what made planning slow on large catalogs.
 */
import semver, { type Range, type SemVer } from 'semver';
import type { Catalog, CatalogEntry, MajorUpgradePolicy } from '#domain/catalog.ts';
import { firstPassing, parseRange, satisfiesByOrder } from '#domain/version-spans.ts';

/** The rules that forbid a version as the landing point of any hop. */
export type NodeRule = 'blocked' | 'platform' | 'prerelease';

export interface IndexedVersion {
  readonly entry: CatalogEntry;
  readonly version: SemVer;
  /** The tested-source range, parsed; undefined when any source is allowed. */
  readonly from: Range | undefined;
  /** Rules against taking this version on this cluster; `prerelease` is waived for an explicit target. */
  readonly forbiddenBy: readonly NodeRule[];
}

export class CatalogIndex {
  readonly policy: MajorUpgradePolicy;
  /** The cluster's ACP version, normalized; undefined when unknown (platform ranges unchecked). */
  readonly platform: string | undefined;
  /** Every catalog version, oldest first. */
  readonly ascending: readonly IndexedVersion[];
  readonly #byEntry = new Map<CatalogEntry, IndexedVersion>();

  constructor(catalog: Catalog, platform?: string) {
    this.policy = catalog.majorUpgrade;
    this.platform = platform;
    // Catalogs repeat ranges across many versions; parse each distinct one once.
    const ranges = new Map<string, Range>();
    const range = (text: string): Range => {
      const parsed = ranges.get(text) ?? parseRange(text);
      ranges.set(text, parsed);
      return parsed;
    };
    const cluster = platform === undefined ? undefined : new semver.SemVer(platform);
    const indexed = catalog.versions.map((entry): IndexedVersion => {
      const forbiddenBy: NodeRule[] = [];
      if (entry.blocked !== undefined) forbiddenBy.push('blocked');
      if (
        cluster !== undefined &&
        entry.platform !== undefined &&
        !satisfiesByOrder(range(entry.platform), cluster)
      ) {
        forbiddenBy.push('platform');
      }
      const version = new semver.SemVer(entry.version);
      if (version.prerelease.length > 0) forbiddenBy.push('prerelease');
      return { entry, version, from: entry.from === undefined ? undefined : range(entry.from), forbiddenBy };
    });
    this.ascending = indexed.sort((a, b) => a.version.compare(b.version));
    for (const item of this.ascending) this.#byEntry.set(item.entry, item);
  }

  of(entry: CatalogEntry): IndexedVersion {
    const item = this.#byEntry.get(entry);
    if (item === undefined) throw new Error(`catalog entry ${entry.version} is not in this catalog index`);
    return item;
  }

  /** The entry whose version equals `version` (a valid semver string), if the catalog lists it. */
  find(version: string): CatalogEntry | undefined {
    const at = firstPassing(0, this.ascending.length, (i) => this.#at(i).compare(version) >= 0);
    const item = this.ascending[at];
    return item !== undefined && item.version.compare(version) === 0 ? item.entry : undefined;
  }

  #at(index: number): SemVer {
    return (this.ascending[index] as IndexedVersion).version;
  }
}
