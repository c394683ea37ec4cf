/**
 * The platform catalog catching up with an upload: an ArtifactVersion `<package>.v<version>` in
 * cpaas-system that reached status.reason Success shows up, syncDelayMs later, as an entry of its
 * channel in the PackageManifest (channel currentCSV moves to the newest entry). On real ACP this
 * takes 10-15 minutes, which is why it is a knob.
 */
import semver from 'semver';
import type { Controller, ControllerContext } from '#sim/controllers/controller-context.ts';
import { CATALOG_NAMESPACE, csvName, parseCsvName } from '#sim/controllers/olm-objects.ts';
import { buildPackageManifest, channelWith, manifestChannels } from '#sim/controllers/package-manifest.ts';
import { ARTIFACT_LABEL, CHANNEL_LABEL } from '#sim/controllers/platform-objects.ts';
import { sameResource } from '#sim/controllers/store-writes.ts';
import { ARTIFACT_VERSION, PACKAGE_MANIFEST } from '#sim/resource-types.ts';
import type { KubeObject } from '#sim/store/cluster-store.ts';

interface Offer {
  pkg: string;
  version: string;
  csv: string;
  channel: string | undefined;
}

function offerOf(av: KubeObject): Offer | undefined {
  const labels = av.metadata.labels ?? {};
  const fromName = parseCsvName(av.metadata.name);
  const status = av.status as { version?: unknown } | undefined;
  const tag = (av.spec as { tag?: unknown } | undefined)?.tag;
  const raw = [status?.version, tag, fromName?.version].find((v): v is string => typeof v === 'string');
  const version = raw?.replace(/^v/, '');
  const pkg = labels[ARTIFACT_LABEL] ?? fromName?.pkg;
  if (!pkg || !version || !semver.valid(version)) return undefined;
  return { pkg, version, csv: csvName(pkg, version), channel: labels[CHANNEL_LABEL] };
}

function isSuccess(av: KubeObject): boolean {
  return (av.status as { reason?: unknown } | undefined)?.reason === 'Success';
}

export function catalogSync(ctx: ControllerContext): Controller {
  const waiting = new Set<string>();

  const manifestOf = (pkg: string) => ctx.store.get(PACKAGE_MANIFEST, CATALOG_NAMESPACE, pkg);
  const offered = (offer: Offer) =>
    manifestChannels(manifestOf(offer.pkg)).some((c) => c.entries.some((e) => e.name === offer.csv));

  const publish = (name: string) => {
    const av = ctx.store.get(ARTIFACT_VERSION, CATALOG_NAMESPACE, name);
    const offer = av && isSuccess(av) ? offerOf(av) : undefined;
    if (!offer || offered(offer)) return;
    const manifest = manifestOf(offer.pkg);
    const status = manifest?.status as { defaultChannel?: string } | undefined;
    const channelName = offer.channel ?? status?.defaultChannel ?? 'stable';
    const entry = { name: offer.csv, version: offer.version };
    const channels = manifestChannels(manifest);
    const existing = channels.find((c) => c.name === channelName);
    const next = existing
      ? channels.map((c) => (c === existing ? channelWith(c.name, [...c.entries, entry]) : c))
      : [...channels, channelWith(channelName, [entry])];
    if (!manifest) {
      ctx.store.create(PACKAGE_MANIFEST, buildPackageManifest(offer.pkg, next, channelName));
      return;
    }
    ctx.store.update(PACKAGE_MANIFEST, {
      ...manifest,
      status: { ...(manifest.status as object), channels: next },
    });
  };

  const consider = (av: KubeObject) => {
    const name = av.metadata.name;
    if (av.metadata.namespace !== CATALOG_NAMESPACE || !isSuccess(av) || waiting.has(name)) return;
    const offer = offerOf(av);
    if (!offer || offered(offer)) return;
    waiting.add(name);
    ctx.after(ctx.spec.syncDelayMs, () => {
      waiting.delete(name);
      ctx.enqueue(`catalog/${name}`, () => publish(name));
    });
  };

  return {
    onEvent(event) {
      if (event.type !== 'DELETED' && sameResource(event.resource, ARTIFACT_VERSION)) consider(event.object);
    },
    resync() {
      for (const av of ctx.store.list(ARTIFACT_VERSION, { namespace: CATALOG_NAMESPACE })) consider(av);
    },
  };
}
