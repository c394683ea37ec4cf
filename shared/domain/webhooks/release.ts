/**
 * The release webhook's body (DESIGN.md 4.7) and what it does to the catalog: a catalog entry
 * registers a version (replacing the entry of the same version), `{ version, blocked }` withdraws
 * one. The catalog that results is validated as a whole, so a release that would make it invalid
 * is refused with the catalog's own error and nothing changes. Pure.
 */
import semver from 'semver';
import * as z from 'zod';
import { type Catalog, validateCatalog } from '#domain/catalog.ts';
import { catalogEntrySchema } from '#domain/catalog-schema.ts';
import { NotFoundError } from '#domain/errors.ts';

const withdrawalSchema = z.strictObject({
  version: z.string().min(1).max(64),
  blocked: z.string().min(1).max(500).describe('Why the version is withdrawn; shown to users.'),
});

/** A withdrawal has no csv, so the two shapes never overlap. */
export const releaseBodySchema = z.union([catalogEntrySchema, withdrawalSchema]).meta({ id: 'Release' });
export type ReleaseBody = z.output<typeof releaseBodySchema>;

export type ReleaseAction = 'registered' | 'withdrawn';

const same = (a: string, b: string) =>
  semver.valid(a) !== null && semver.valid(b) !== null && semver.eq(a, b);

export function applyRelease(
  catalog: Catalog,
  release: ReleaseBody,
): { catalog: Catalog; action: ReleaseAction } {
  if ('csv' in release) {
    const others = catalog.versions.filter((entry) => !same(entry.version, release.version));
    return { catalog: validateCatalog({ ...catalog, versions: [...others, release] }), action: 'registered' };
  }
  const found = catalog.versions.find((entry) => same(entry.version, release.version));
  if (!found) {
    throw new NotFoundError(`version ${release.version} is not in the catalog: nothing to withdraw`);
  }
  const versions = catalog.versions.map((entry) =>
    entry === found ? { ...entry, blocked: release.blocked } : entry,
  );
  return { catalog: validateCatalog({ ...catalog, versions }), action: 'withdrawn' };
}
