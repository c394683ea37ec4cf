/**
 * The upgrade planner (docs/architecture.md §2): the vendor-supported path of hops from the installed
 * version to a target, or a PlanError that tells the operator what to do next.
 */
import semver from 'semver';
import type { Catalog, CatalogArtifact, CatalogEntry } from '#domain/catalog.ts';
import { CatalogIndex } from '#domain/catalog-index.ts';
import { PlanError } from '#domain/errors.ts';
import { explainNoPath, nearestReachable } from '#domain/plan-diagnosis.ts';
import { UpgradeGraph } from '#domain/upgrade-graph.ts';

export const HOP_KINDS = ['patch', 'minor', 'major'] as const;
export type HopKind = (typeof HOP_KINDS)[number];

export interface Hop {
  from: string;
  to: string;
  kind: HopKind;
  /** The ClusterServiceVersion this hop installs. */
  csv: string;
  channel: string;
  artifact: CatalogArtifact;
}

export interface UpgradePlan {
  from: string;
  to: string;
  platform?: string;
  hops: Hop[];
}

export interface PlanOptions {
  /** The cluster's ACP version; without it platform ranges are not checked. */
  platform?: string;
  /** Allow a pre-release as the explicit target (never as an intermediate hop). */
  includePrerelease?: boolean;
}

function parseVersion(field: string, value: string): string {
  const version = semver.valid(value);
  if (version === null) {
    throw new PlanError(
      'INVALID_VERSION',
      `${field} ${JSON.stringify(value)} is not a semantic version (expected e.g. 4.1.1): correct it and retry`,
      { details: { field, value } },
    );
  }
  return version;
}

function hopKind(from: string, to: string): HopKind {
  if (semver.major(from) !== semver.major(to)) return 'major';
  return semver.minor(from) === semver.minor(to) ? 'patch' : 'minor';
}

function toHops(source: string, path: CatalogEntry[]): Hop[] {
  return path.map((entry, index) => {
    const from = index === 0 ? source : (path[index - 1] as CatalogEntry).version;
    return {
      from,
      to: entry.version,
      kind: hopKind(from, entry.version),
      csv: entry.csv,
      channel: entry.channel,
      artifact: { ...entry.artifact },
    };
  });
}

function unknownTarget(index: CatalogIndex, to: string): PlanError {
  const all = index.ascending.map((item) => item.entry.version);
  const sameMajor = index.ascending
    .filter((item) => item.version.major === semver.major(to))
    .map((item) => item.entry.version);
  const known =
    sameMajor.length > 0
      ? `its ${semver.major(to)}.x versions are ${sameMajor.join(', ')}`
      : `it has versions ${all[0]} to ${all.at(-1)}`;
  return new PlanError(
    'UNKNOWN_VERSION',
    `${to} is not in the catalog (${known}): choose one of those, or add ${to} to the catalog`,
    { details: { to } },
  );
}

function downgrade(catalog: Catalog, from: string, to: string): PlanError {
  const newest = semver.maxSatisfying(
    catalog.versions.filter((entry) => entry.blocked === undefined).map((entry) => entry.version),
    '*',
  );
  const hint = newest !== null && semver.gt(newest, from) ? ` (newest in the catalog: ${newest})` : '';
  return new PlanError(
    'DOWNGRADE',
    `${to} is older than the installed ${from} and OLM cannot downgrade an operator: choose a target newer than ${from}${hint}`,
    { details: { from, to } },
  );
}

/** Refusals about the target itself, before any search: the clearest reason wins. */
function checkTarget(index: CatalogIndex, from: string, target: CatalogEntry, options: PlanOptions): void {
  const { platform } = index;
  const forbiddenBy = index.of(target).forbiddenBy;
  if (forbiddenBy.includes('prerelease') && options.includePrerelease !== true) {
    const release = semver.maxSatisfying(
      index.ascending
        .filter((item) => !item.forbiddenBy.includes('blocked'))
        .map((item) => item.entry.version),
      `>${from} <${target.version}`,
    );
    throw new PlanError(
      'NO_PATH',
      `${target.version} is a pre-release: target it only with includePrerelease (--include-prerelease)` +
        (release === null ? '' : `, or choose a release such as ${release}`),
      { details: { from, to: target.version, rules: ['prerelease'] } },
    );
  }
  if (forbiddenBy.includes('blocked')) {
    const instead = nearestReachable(index, from, target);
    throw new PlanError(
      'BLOCKED_VERSION',
      `${target.version} is blocked: "${target.blocked}"; ` +
        (instead === undefined
          ? `no other version has a supported path from ${from}: wait for a fixed release in the catalog`
          : `choose ${instead} instead, the nearest unblocked version with a supported path`),
      { details: { from, to: target.version, reason: target.blocked, alternative: instead } },
    );
  }
  if (forbiddenBy.includes('platform')) {
    const instead = nearestReachable(index, from, target);
    throw new PlanError(
      'PLATFORM_UNSUPPORTED',
      `${target.version} needs ACP ${target.platform} but the cluster runs ACP ${platform}: ` +
        'upgrade the platform into that range first' +
        (instead === undefined
          ? ''
          : `, or choose ${instead}, the nearest version with a supported path on ACP ${platform}`),
      {
        details: {
          from,
          to: target.version,
          platform,
          requiredPlatform: target.platform,
          alternative: instead,
        },
      },
    );
  }
}

/**
 * Plans the upgrade from the installed version `from` (need not be in the catalog) to `to`
 * (must be). Throws PlanError; `from == to` is a plan with zero hops.
 */
export function planUpgrade(
  catalog: Catalog,
  from: string,
  to: string,
  options: PlanOptions = {},
): UpgradePlan {
  const source = parseVersion('from', from);
  const targetVersion = parseVersion('to', to);
  const platform = options.platform === undefined ? undefined : parseVersion('platform', options.platform);
  const plan = (hops: Hop[]): UpgradePlan => ({
    from: source,
    to: targetVersion,
    ...(platform === undefined ? {} : { platform }),
    hops,
  });
  if (semver.eq(source, targetVersion)) return plan([]);

  const index = new CatalogIndex(catalog, platform);
  const target = index.find(targetVersion);
  if (target === undefined) throw unknownTarget(index, targetVersion);
  if (semver.lt(targetVersion, source)) throw downgrade(catalog, source, targetVersion);
  checkTarget(index, source, target, options);

  const path = new UpgradeGraph({ index, target }).shortestPath(source);
  if (path === undefined) throw explainNoPath(index, source, target);
  return plan(toHops(source, path));
}
