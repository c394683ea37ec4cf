/** Small catalogs for planner tests, written out in full so each test shows the rules it relies on. */
import type { Catalog, CatalogEntry, MajorUpgradePolicy } from '#domain/catalog.ts';
import { CatalogError } from '#domain/errors.ts';

export type EntrySpec = Partial<Omit<CatalogEntry, 'version'>> & { version: string };

export function entry(spec: EntrySpec): CatalogEntry {
  const channel = spec.channel ?? 'stable';
  return {
    csv: `redis-operator.v${spec.version}`,
    channel,
    artifact: {
      url: `https://packages.example.invalid/redis-operator.${channel}.ALL.v${spec.version}.tgz`,
      sha256: 'a'.repeat(64),
      size: 1024,
    },
    ...spec,
  };
}

export function catalogOf(
  specs: readonly (EntrySpec | string)[],
  majorUpgrade: MajorUpgradePolicy = 'earliest-minor',
): Catalog {
  return {
    package: 'redis-operator',
    majorUpgrade,
    versions: specs.map((spec) => entry(typeof spec === 'string' ? { version: spec } : spec)),
  };
}

/**
 * Shaped like examples/catalog.json but owned by the tests, so the example can evolve. 5.0.x is
 * tested only from 4.1+, so 3.x -> 5.x needs three hops through 4.x.
 */
export const fleetCatalog: Catalog = catalogOf([
  { version: '3.14.0', platform: '>=3.14.0 <3.19.0', from: '>=3.8.0' },
  { version: '3.14.1', platform: '>=3.14.0 <3.19.0' },
  { version: '3.16.0', platform: '>=3.16.0 <3.21.0' },
  { version: '3.16.2', platform: '>=3.16.0 <3.21.0' },
  { version: '3.18.0', platform: '>=3.16.0 <3.21.0' },
  { version: '3.18.2', platform: '>=3.16.0 <3.21.0' },
  { version: '4.0.1', platform: '>=3.18.0 <4.2.0', from: '>=3.14.0' },
  { version: '4.0.3', platform: '>=3.18.0 <4.2.0' },
  { version: '4.1.0', platform: '>=3.18.0 <4.3.0', blocked: 'CVE-2025-49844: withdrawn, use 4.1.1' },
  { version: '4.1.1', platform: '>=3.18.0 <4.3.0' },
  { version: '4.2.1', platform: '>=4.0.0 <4.4.0' },
  { version: '5.0.0', platform: '>=4.1.0 <4.4.0', from: '>=4.1.0', channel: 'stable-v5' },
  { version: '5.0.2', platform: '>=4.1.0 <4.4.0', from: '>=4.1.0', channel: 'stable-v5' },
  { version: '5.1.0', platform: '>=4.2.0 <4.5.0', channel: 'stable-v5' },
  { version: '5.2.0-rc.1', platform: '>=4.2.0 <4.5.0', channel: 'stable-v5' },
]);

// ---------------------------------------------------------------- undecoded data, for validation tests

/** A well-formed sha256 digest. */
export const HEX = 'ab'.repeat(32);

/** One version entry as a catalog file holds it, before validation. */
export function entryData(version: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version,
    csv: `redis-operator.v${version}`,
    channel: 'stable',
    artifact: {
      url: `https://packages.example.invalid/redis-operator.v${version}.tgz`,
      sha256: HEX,
      size: 10,
    },
    ...extra,
  };
}

export function catalogData(
  versions: unknown[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { package: 'redis-operator', majorUpgrade: 'earliest-minor', versions, ...extra };
}

/** The CatalogError `run` throws; fails the test when it throws something else or nothing. */
export function refusal(run: () => unknown): CatalogError {
  try {
    run();
  } catch (error) {
    if (error instanceof CatalogError) return error;
    throw error;
  }
  throw new Error('expected a CatalogError');
}
