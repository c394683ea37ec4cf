/**
 * OLM's choice of an upgrade, as operator-lifecycle-manager's resolver makes it
 * (pkg/controller/registry/resolver/resolver.go, getSubscriptionVariables and sortChannel):
 *
 * 1. The Subscription's package and channel must exist in its catalog, else resolution fails
 *    (ConstraintsNotSatisfiable: "no operators found in channel ...").
 * 2. The channel is ordered by its replacement chain: the head is the one bundle no other bundle
 *    replaces or skips, the chain follows spec.replaces from it, and skipped bundles drop out.
 *    Several heads, no head or a cycle is an error (ErrorPreventedResolution).
 * 3. The candidates are the chain's bundles that replace the installed CSV: spec.replaces names
 *    it, spec.skips lists it, or the olm.skipRange annotation includes its version. OLM prefers
 *    them in chain order, so it takes the one nearest the head, jumping over the rest.
 * 4. No candidate is no upgrade: the Subscription stays at its installed CSV, without an error.
 */
import semver from 'semver';
import type { Bundle } from '#sim/packages/bundle.ts';

export interface CatalogChannel {
  name: string;
  bundles: Bundle[];
}

export interface PackageCatalog {
  defaultChannel: string;
  channels: CatalogChannel[];
}

export interface InstalledCsv {
  name: string;
  version: string;
}

export type Resolution =
  | { kind: 'upgrade'; bundle: Bundle; channel: string }
  | { kind: 'none' }
  | { kind: 'failed'; reason: 'ConstraintsNotSatisfiable' | 'ErrorPreventedResolution'; message: string };

export interface ResolveInput {
  subscription: string;
  pkg: string;
  /** spec.channel; empty or undefined means every channel, the default one first. */
  channel: string | undefined;
  catalog: PackageCatalog | undefined;
  installed: InstalledCsv | undefined;
  startingCSV?: string | undefined;
}

class ChannelGraphError extends Error {}

const chainLabel = (chain: Bundle[]) =>
  chain.length === 1 ? (chain[0] as Bundle).csv : `${chain[0]?.csv}...${chain.at(-1)?.csv}`;

/** The channel's bundles in replacement order, head first, skipped bundles left out (OLM's sortChannel). */
export function sortChannel(pkg: string, channel: string, bundles: Bundle[]): Bundle[] {
  if (bundles.length === 0) return [];
  const byName = new Map(bundles.map((b) => [b.csv, b]));
  const replacedBy = new Set<Bundle>();
  const replaces = new Map<Bundle, Bundle>();
  const skipped = new Set<string>();
  for (const b of bundles) {
    const replaced = b.replaces ? byName.get(b.replaces) : undefined;
    if (replaced) {
      replacedBy.add(replaced);
      replaces.set(b, replaced);
    }
    for (const skip of b.skips) {
      const found = byName.get(skip);
      if (found) {
        replacedBy.add(found);
        skipped.add(skip);
      }
    }
  }
  const heads = bundles.filter((b) => !replacedBy.has(b));
  const where = `in channel "${channel}" of package "${pkg}"`;
  if (heads.length === 0) {
    throw new ChannelGraphError(`no channel heads (entries not replaced by another entry) found ${where}`);
  }
  const chains = heads.map((head) => {
    const chain: Bundle[] = [];
    const visited = new Set<Bundle>();
    for (let current: Bundle | undefined = head; current; current = replaces.get(current)) {
      if (visited.has(current)) {
        throw new ChannelGraphError(
          `a cycle exists in the chain of replacement beginning with "${head.csv}" ${where}`,
        );
      }
      visited.add(current);
      if (!skipped.has(current.csv)) chain.push(current);
    }
    return chain;
  });
  if (chains.length > 1) {
    throw new ChannelGraphError(
      `a unique replacement chain within a channel is required to determine the relative order between ` +
        `channel entries, but ${chains.length} replacement chains were found ${where}: ${chains.map(chainLabel).join(', ')}`,
    );
  }
  return chains[0] as Bundle[];
}

/** The channel's head as the package server reports it (the newest bundle when the graph is broken). */
export function channelHead(pkg: string, channel: CatalogChannel): Bundle | undefined {
  try {
    return sortChannel(pkg, channel.name, channel.bundles)[0];
  } catch {
    return [...channel.bundles].sort((a, b) => semver.rcompare(a.version, b.version))[0];
  }
}

/** OLM's upgrade predicate: skipRange includes the installed version, or replaces/skips names it. */
function replacesInstalled(bundle: Bundle, installed: InstalledCsv): boolean {
  if (bundle.replaces === installed.name || bundle.skips.includes(installed.name)) return true;
  return (
    bundle.skipRange !== undefined &&
    semver.valid(installed.version) !== null &&
    semver.satisfies(installed.version, bundle.skipRange, { includePrerelease: true })
  );
}

function notSatisfiable(subscription: string, reason: string): Resolution {
  return {
    kind: 'failed',
    reason: 'ConstraintsNotSatisfiable',
    message: `constraints not satisfiable: subscription ${subscription} exists, ${reason}`,
  };
}

/** Entries in the default channel first, then by channel name (as the resolver sorts them). */
function channelsToSearch(catalog: PackageCatalog, channel: string | undefined): CatalogChannel[] {
  if (channel) return catalog.channels.filter((c) => c.name === channel);
  return [...catalog.channels].sort((a, b) =>
    a.name === catalog.defaultChannel
      ? -1
      : b.name === catalog.defaultChannel
        ? 1
        : a.name.localeCompare(b.name),
  );
}

export function resolveSubscription(input: ResolveInput): Resolution {
  const { subscription, pkg, catalog, installed } = input;
  const where = `the catalog referenced by subscription ${subscription}`;
  if (!catalog || catalog.channels.every((c) => c.bundles.length === 0)) {
    return notSatisfiable(subscription, `no operators found in package ${pkg} in ${where}`);
  }
  const channels = channelsToSearch(catalog, input.channel).filter((c) => c.bundles.length > 0);
  if (channels.length === 0) {
    return notSatisfiable(
      subscription,
      `no operators found in channel ${input.channel} of package ${pkg} in ${where}`,
    );
  }
  if (
    !installed &&
    input.startingCSV &&
    !channels.some((c) => c.bundles.some((b) => b.csv === input.startingCSV))
  ) {
    return notSatisfiable(
      subscription,
      `no operators found with name ${input.startingCSV} in channel ${input.channel} of package ${pkg} in ${where}`,
    );
  }
  // Every searched channel is ordered before any candidate is taken, so one broken channel fails it all.
  let ordered: { channel: string; bundle: Bundle }[];
  try {
    ordered = channels.flatMap((c) =>
      sortChannel(pkg, c.name, c.bundles).map((bundle) => ({ channel: c.name, bundle })),
    );
  } catch (error) {
    if (!(error instanceof ChannelGraphError)) throw error;
    return { kind: 'failed', reason: 'ErrorPreventedResolution', message: error.message };
  }
  const found = ordered.find(({ bundle }) =>
    installed ? replacesInstalled(bundle, installed) : !input.startingCSV || bundle.csv === input.startingCSV,
  );
  if (found) return { kind: 'upgrade', ...found };
  return { kind: 'none' };
}
