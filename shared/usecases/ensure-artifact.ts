/**
 * Getting a hop's package into the artifact store once per version, however many clusters
 * upgrade to it:
 *
 * 1. `has(ref)` first: a stored, checksum-verified artifact is never downloaded again.
 * 2. Within one process (a Lambda container, the local runtime) concurrent jobs for one version
 *    share a single in-flight `put`.
 * 3. The body handed to `put` is lazy: the download starts only when the store reads it. The
 *    store contract says concurrent puts of one ref store it once, so a store that coalesces
 *    puts across workers never reads, and never downloads, the losing body.
 *
 * The store verifies sha256 while writing and keeps nothing on a mismatch (ValidationError
 * CHECKSUM_MISMATCH), which the caller turns into a failed job.
 */
import { basename } from 'node:path';
import type { Catalog } from '#domain/catalog.ts';
import type { Hop } from '#domain/planner.ts';
import type { ArtifactDownloader, ArtifactRef, ArtifactStore } from '#shared/ports.ts';

export function artifactRef(catalog: Pick<Catalog, 'package'>, hop: Hop): ArtifactRef {
  const ref: ArtifactRef = {
    package: catalog.package,
    version: hop.to,
    fileName: basename(new URL(hop.artifact.url).pathname),
    sha256: hop.artifact.sha256,
  };
  if (hop.artifact.size !== undefined) ref.size = hop.artifact.size;
  return ref;
}

async function* lazyDownload(downloader: ArtifactDownloader, url: string): AsyncIterable<Uint8Array> {
  yield* await downloader.download(url);
}

export type EnsureArtifact = (ref: ArtifactRef, url: string) => Promise<void>;

export function makeEnsureArtifact(store: ArtifactStore, downloader: ArtifactDownloader): EnsureArtifact {
  const inFlight = new Map<string, Promise<void>>();
  return async (ref, url) => {
    if (await store.has(ref)) return;
    const key = `${ref.package}@${ref.version}#${ref.sha256}`;
    let pending = inFlight.get(key);
    if (!pending) {
      pending = store.put(ref, lazyDownload(downloader, url)).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    await pending;
  };
}
