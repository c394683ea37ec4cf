/**
 * The platform catalog catching up with an upload: an ArtifactVersion `<package>.v<version>` in
 * cpaas-system that reached status.reason Success shows up, syncDelayMs later, as an entry of the
 * channels its bundle names, with the graph its bundle declares (the channel head is then the
 * bundle no other one replaces or skips). On real ACP this takes 10-15 minutes, which is why it is
 * a knob.
 */
import semver from 'semver';
import type { Controller, ControllerContext } from '#sim/controllers/controller-context.ts';
import { CATALOG_NAMESPACE, csvName, parseCsvName } from '#sim/controllers/olm-objects.ts';
import {
  buildPackageManifest,
  manifestChannels,
  packageCatalog,
  withBundle,
} from '#sim/controllers/package-manifest.ts';
import { ARTIFACT_LABEL } from '#sim/controllers/platform-objects.ts';
import { sameResource } from '#sim/controllers/store-writes.ts';
import { ARTIFACT_VERSION, PACKAGE_MANIFEST } from '#sim/resource-types.ts';
import type { KubeObject } from '#sim/store/cluster-store.ts';

interface Offer {
  pkg: string;
  version: string;
  csv: string;
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
  return { pkg, version, csv: csvName(pkg, version) };
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
    // The catalog indexes bundle images; a version the registry has none of stays out of it.
    const bundle = ctx.bundles(offer.csv);
    if (!bundle) return;
    const manifest = manifestOf(offer.pkg);
    const next = buildPackageManifest(offer.pkg, withBundle(packageCatalog(manifest, ctx.bundles), bundle));
    if (!manifest) ctx.store.create(PACKAGE_MANIFEST, next);
    else ctx.store.update(PACKAGE_MANIFEST, { ...manifest, status: next.status });
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
