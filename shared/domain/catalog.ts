/**
 * The version catalog (docs/architecture.md §2): which plugin versions exist, where their packages are,
 * which ACP versions and source versions each was tested with, and which are withdrawn.
 * A malformed catalog is refused as a whole: planning over half a catalog could pick a path the
 * vendor never tested. Decoding text (JSON or YAML) is the catalog adapters' business
 * (#adapters/catalog-text.ts); this module validates what they decoded.
 */
import {
  type CatalogIssue,
  catalogErrorMap,
  catalogSchema,
  type MAJOR_UPGRADE_POLICIES,
  toCatalogIssues,
} from '#domain/catalog-schema.ts';
import { CatalogError } from '#domain/errors.ts';

export type MajorUpgradePolicy = (typeof MAJOR_UPGRADE_POLICIES)[number];

export interface CatalogArtifact {
  url: string;
  /** Lower-case hex. */
  sha256: string;
  size?: number;
}

export interface CatalogEntry {
  version: string;
  /** The ClusterServiceVersion name OLM installs, e.g. `redis-operator.v4.0.3`. */
  csv: string;
  channel: string;
  /** ACP platform versions this release supports (semver range); absent means any. */
  platform?: string;
  /** Source versions this release was tested from (semver range); absent means any. */
  from?: string;
  /** Why the release is withdrawn as a hop target; shown to users. */
  blocked?: string;
  artifact: CatalogArtifact;
}

export interface Catalog {
  /** The OLM package name, e.g. `redis-operator`. */
  package: string;
  majorUpgrade: MajorUpgradePolicy;
  versions: CatalogEntry[];
}

/** How many issues the one-line message quotes; all of them are in `details.issues`. */
const ISSUES_IN_MESSAGE = 3;

/** How messages name a catalog: `catalog`, or `catalog <file or URL>`. */
export function catalogLabel(sourceName: string | undefined): string {
  return sourceName === undefined ? 'catalog' : `catalog ${sourceName}`;
}

function refuse(sourceName: string | undefined, issues: CatalogIssue[]): CatalogError {
  const shown = issues.slice(0, ISSUES_IN_MESSAGE).map((issue) => `${issue.path}: ${issue.message}`);
  const more = issues.length > ISSUES_IN_MESSAGE ? ` (and ${issues.length - ISSUES_IN_MESSAGE} more)` : '';
  return new CatalogError(`${catalogLabel(sourceName)} is invalid: ${shown.join('; ')}${more}`, {
    details: { source: sourceName, issues },
  });
}

/** Validates already-decoded data (a request body, a parsed file) against the catalog contract. */
export function validateCatalog(data: unknown, sourceName?: string): Catalog {
  const result = catalogSchema.safeParse(data, { error: catalogErrorMap });
  if (!result.success) throw refuse(sourceName, toCatalogIssues(result.error.issues, data));
  // Returning it as Catalog is also the compile-time check that the schema matches the contract.
  return result.data;
}
