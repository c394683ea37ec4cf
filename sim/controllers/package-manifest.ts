/**
 * The PackageManifest OLM's package server derives from the `platform` catalog (no CRD: the shape
 * DESIGN.md 2 relies on): status.channels[{name, currentCSV, entries[{name, version}]}], newest first.
 */
import semver from 'semver';
import { CATALOG_NAME, CATALOG_NAMESPACE } from '#sim/controllers/olm-objects.ts';
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

/** Channel with entries newest first, the way the package server lists them; head = currentCSV. */
export function channelWith(name: string, entries: ChannelEntry[]): ManifestChannel {
  const unique = [...new Map(entries.map((e) => [e.name, e])).values()];
  unique.sort((a, b) => semver.rcompare(a.version, b.version));
  return { name, currentCSV: (unique[0] as ChannelEntry).name, entries: unique };
}

export function manifestChannels(manifest: KubeObject | undefined): ManifestChannel[] {
  const status = manifest?.status as { channels?: ManifestChannel[] } | undefined;
  return status?.channels ?? [];
}

export function buildPackageManifest(
  pkg: string,
  channels: ManifestChannel[],
  defaultChannel: string,
): KubeObject {
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
      provider: { name: 'Alauda' },
      packageName: pkg,
      channels,
      defaultChannel,
    },
  };
}
