/**
 * The PackageManifest OLM's package server derives from the `platform` catalog (no CRD: the shape
 * docs/architecture.md §2 relies on, fields as operator-lifecycle-manager's package server writes them):
 * status.channels sorted by name, each with its head as currentCSV, the head's CSV description
 * (currentCSVDesc, annotations such as olm.skipRange included) and every entry, newest first.
 * The catalog's bundles themselves are looked up by name in the platform's registry.
 */
import semver from 'semver';
import type { BundleLookup } from '#sim/controllers/bundle-registry.ts';
import { type CatalogChannel, channelHead, type PackageCatalog } from '#sim/controllers/olm-graph.ts';
import { CATALOG_NAME, CATALOG_NAMESPACE } from '#sim/controllers/olm-objects.ts';
import { type Bundle, csvManifest } from '#sim/packages/bundle.ts';
import { apiVersionOf, PACKAGE_MANIFEST } from '#sim/resource-types.ts';
import type { KubeObject } from '#sim/store/cluster-store.ts';

export interface ChannelEntry {
  name: string;
  version: string;
}

export interface ManifestChannel {
  name: string;
  currentCSV: string;
  entries: ChannelEntry[];
}

export function manifestChannels(manifest: KubeObject | undefined): ManifestChannel[] {
  const status = manifest?.status as { channels?: ManifestChannel[] } | undefined;
  return status?.channels ?? [];
}

function defaultChannelOf(manifest: KubeObject | undefined): string | undefined {
  return (manifest?.status as { defaultChannel?: string } | undefined)?.defaultChannel;
}

/** The package as OLM's resolver sees it: each channel's entries with their bundles. */
export function packageCatalog(
  manifest: KubeObject | undefined,
  bundles: BundleLookup,
): PackageCatalog | undefined {
  if (!manifest) return undefined;
  return {
    defaultChannel: defaultChannelOf(manifest) ?? '',
    channels: manifestChannels(manifest).map((channel) => ({
      name: channel.name,
      bundles: channel.entries.map((e) => bundles(e.name)).filter((b): b is Bundle => b !== undefined),
    })),
  };
}

/** The CSV description the package server shows for a channel head (operators.CreateCSVDescription). */
function csvDescription(head: Bundle): Record<string, unknown> {
  const csv = csvManifest({ pkg: head.package, version: head.version, skipRange: head.skipRange });
  const spec = csv.spec as Record<string, unknown>;
  return {
    displayName: spec.displayName,
    version: head.version,
    provider: spec.provider,
    annotations: (csv.metadata as { annotations: Record<string, string> }).annotations,
    installModes: spec.installModes,
    customresourcedefinitions: spec.customresourcedefinitions,
    maturity: spec.maturity,
    links: [],
    keywords: [],
    relatedImages: [head.image],
  };
}

function channelStatus(pkg: string, channel: CatalogChannel): Record<string, unknown> | undefined {
  const head = channelHead(pkg, channel);
  if (!head) return undefined;
  const entries = [...channel.bundles]
    .sort((a, b) => semver.rcompare(a.version, b.version))
    .map((b) => ({ name: b.csv, version: b.version }));
  return { name: channel.name, currentCSV: head.csv, currentCSVDesc: csvDescription(head), entries };
}

export function buildPackageManifest(pkg: string, catalog: PackageCatalog): KubeObject {
  const channels = [...catalog.channels]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((channel) => channelStatus(pkg, channel))
    .filter((channel) => channel !== undefined);
  const head = channels.find((c) => c.name === catalog.defaultChannel) ?? channels[0];
  const provider = (head?.currentCSVDesc as { provider?: unknown } | undefined)?.provider ?? {
    name: 'Alauda',
  };
  return {
    apiVersion: apiVersionOf(PACKAGE_MANIFEST),
    kind: PACKAGE_MANIFEST.kind,
    metadata: {
      name: pkg,
      namespace: CATALOG_NAMESPACE,
      labels: {
        catalog: CATALOG_NAME,
        'catalog-namespace': CATALOG_NAMESPACE,
        provider: 'Alauda',
        'operatorframework.io/arch.amd64': 'supported',
        'operatorframework.io/os.linux': 'supported',
      },
    },
    spec: {},
    status: {
      catalogSource: CATALOG_NAME,
      catalogSourceDisplayName: 'Platform',
      catalogSourcePublisher: 'Alauda',
      catalogSourceNamespace: CATALOG_NAMESPACE,
      provider,
      packageName: pkg,
      channels,
      defaultChannel: catalog.defaultChannel,
    },
  };
}

/** `catalog` with `bundle` added to each of its channels (a newly indexed upload). */
export function withBundle(catalog: PackageCatalog | undefined, bundle: Bundle): PackageCatalog {
  const channels = [...(catalog?.channels ?? [])];
  for (const name of bundle.channels) {
    const index = channels.findIndex((c) => c.name === name);
    const existing = channels[index];
    if (!existing) channels.push({ name, bundles: [bundle] });
    else if (!existing.bundles.some((b) => b.csv === bundle.csv))
      channels[index] = { name, bundles: [...existing.bundles, bundle] };
  }
  return { defaultChannel: catalog?.defaultChannel || bundle.defaultChannel, channels };
}
