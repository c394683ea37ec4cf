/**
 * Large synthetic catalogs for the planner bench: five majors (3.x to 7.x) of minors and patches,
 * with every rule in play so no shortcut of the planner goes unexercised: tested-source ranges
 * (some of them unions), narrow platform ranges, blocked versions and pre-releases.
 */
import type { Catalog, CatalogEntry } from '#domain/catalog.ts';

export const FIRST_MAJOR = 3;
const MAJORS = 5;

function entry(version: string, fields: Partial<CatalogEntry>): CatalogEntry {
  return {
    version,
    csv: `redis-operator.v${version}`,
    channel: 'stable',
    artifact: {
      url: `https://packages.example.invalid/redis-operator.stable.ALL.v${version}.tgz`,
      sha256: 'a'.repeat(64),
    },
    ...fields,
  };
}

/** What the generated rules say about one release; `serial` numbers the releases in order. */
function rules(major: number, minor: number, serial: number): Partial<CatalogEntry> {
  const fields: Partial<CatalogEntry> = { platform: '>=3.0.0 <9.0.0' };
  if (serial % 13 === 5) fields.platform = '>=3.0.0 <3.1.0';
  if (serial % 50 === 7) fields.blocked = 'withdrawn by the bench';
  if (minor === 0) fields.from = `>=${major - 1}.2.0`;
  else if (serial % 11 === 3) fields.from = `<${major}.0.0 || >=${major}.${Math.max(0, minor - 2)}.0`;
  else if (serial % 7 === 2) fields.from = `>=${major}.${Math.max(0, minor - 3)}.0`;
  return fields;
}

/** The last version of every generated catalog, tested only from a 7.x release that does not exist. */
export const NO_PATH_TARGET = `${FIRST_MAJOR + MAJORS}.0.0`;

/** About `count` versions (a few more, never fewer), in release order. */
export function generateCatalog(count: number): Catalog {
  const perMajor = Math.ceil(count / MAJORS);
  const minors = Math.ceil(Math.sqrt(perMajor));
  const patches = Math.ceil(perMajor / minors);
  const versions: CatalogEntry[] = [];
  for (let major = FIRST_MAJOR; major < FIRST_MAJOR + MAJORS; major++) {
    for (let minor = 0; minor < minors; minor++) {
      for (let patch = 0; patch < patches; patch++) {
        versions.push(entry(`${major}.${minor}.${patch}`, rules(major, minor, versions.length)));
      }
      if (minor % 10 === 9) versions.push(entry(`${major}.${minor}.${patches}-rc.1`, {}));
    }
  }
  versions.push(entry(NO_PATH_TARGET, { from: `>=${FIRST_MAJOR + MAJORS - 1}.999.0` }));
  return { package: 'redis-operator', majorUpgrade: 'earliest-minor', versions };
}

/** The newest release below NO_PATH_TARGET: the target of the longest plan. */
export function newestRelease(catalog: Catalog): string {
  const releases = catalog.versions.filter(
    (e) => !e.version.includes('-') && e.blocked === undefined && e.version !== NO_PATH_TARGET,
  );
  return (releases.at(-1) as CatalogEntry).version;
}

/** A blocked version of the last major, for the BLOCKED_VERSION diagnosis. */
export function lastBlocked(catalog: Catalog): string {
  return (catalog.versions.findLast((e) => e.blocked !== undefined) as CatalogEntry).version;
}
