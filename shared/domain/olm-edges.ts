/**
 * Words for what OLM decided about the upgrade graph, from what the cluster shows of it: the
 * Subscription (installedCSV, state, ResolutionFailed) and the PackageManifest channel (its head
 * and the head's olm.skipRange). OLM upgrades the installed CSV to the bundle nearest the channel
 * head whose spec.replaces or spec.skips names it or whose olm.skipRange includes its version; it
 * reports ResolutionFailed when the channel cannot be resolved and says nothing when no bundle has
 * such an edge. The PackageManifest shows the skipRange of the head only, so other edges are
 * named by the fields they must come from.
 */
import semver from 'semver';
import type { PackageChannelView, SubscriptionView } from '#domain/cluster-views.ts';

export interface OlmView {
  subscription: SubscriptionView;
  /** The channel the hop resolves in. */
  channel: string;
  head?: PackageChannelView['head'];
}

function versionOf(csv: string): string | undefined {
  const match = /\.v(\d+\.\d+\.\d+\S*)$/.exec(csv);
  return match ? (semver.valid(match[1]) ?? undefined) : undefined;
}

function inRange(version: string | undefined, range: string | undefined): boolean {
  if (!version || !range || semver.validRange(range) === null) return false;
  return semver.satisfies(version, range, { includePrerelease: true });
}

/** `from <installed> via olm.skipRange <range>`, or via the replaces/skips fields it must come from. */
export function describeEdge(resolved: string, olm: OlmView | undefined): string {
  const installed = olm?.subscription.installedCSV;
  if (!installed) return '';
  const head = olm?.head;
  if (head?.csv === resolved && head.skipRange && inRange(versionOf(installed), head.skipRange)) {
    return ` from ${installed} via olm.skipRange ${head.skipRange}`;
  }
  return ` from ${installed} via the spec.replaces or spec.skips of ${resolved}`;
}

/**
 * Why OLM made no InstallPlan for `target` though the catalog offers it, when the cluster says
 * it will not: ResolutionFailed, or the Subscription at its installed CSV with nothing newer.
 * Undefined while OLM may still be on its way (a plan pending for something, an install running).
 */
export function unresolvedReason(olm: OlmView, target: string): string | undefined {
  const sub = olm.subscription;
  const installed = sub.installedCSV;
  if (!installed) return undefined;
  const failed = sub.conditions?.find((c) => c.type === 'ResolutionFailed' && c.status === 'True');
  const noBundle = `no bundle in channel ${olm.channel} replaces ${installed}`;
  if (failed) {
    return `${noBundle} (ResolutionFailed ${failed.reason ?? ''}: ${failed.message ?? 'no message'})`;
  }
  if (sub.state !== 'AtLatestKnown' || (sub.currentCSV && sub.currentCSV !== installed)) return undefined;
  const head = olm.head;
  const range =
    head?.skipRange && !inRange(versionOf(installed), head.skipRange)
      ? `; the channel head ${head.csv} has olm.skipRange ${head.skipRange}, which does not include ${versionOf(installed)}`
      : '';
  return `${noBundle}: OLM stays at it (AtLatestKnown) and plans nothing, although the catalog offers ${target}${range}`;
}
