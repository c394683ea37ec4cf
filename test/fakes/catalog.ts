import { readFileSync } from 'node:fs';
import { parseCatalog } from '#adapters/catalog-text.ts';
import type { Catalog } from '#domain/catalog.ts';
import { type FakeArtifactDownloader, sha256Of } from '#test/fakes/artifacts.ts';

/** The bytes of the fake package of one version (what the fake downloader serves). */
export function packageBytes(version: string): string {
  return `redis-operator package ${version}\n`;
}

/** examples/catalog.json with real sha256/size values for the fake packages. */
export function testCatalog(): Catalog {
  const text = readFileSync(new URL('../../examples/catalog.json', import.meta.url), 'utf8');
  const catalog = parseCatalog(text, 'examples/catalog.json');
  for (const entry of catalog.versions) {
    const bytes = packageBytes(entry.version);
    entry.artifact = { ...entry.artifact, sha256: sha256Of(bytes), size: Buffer.byteLength(bytes) };
  }
  return catalog;
}

/** Makes the downloader serve every package of the catalog. */
export function serveCatalog(downloader: FakeArtifactDownloader, catalog: Catalog): void {
  for (const entry of catalog.versions) downloader.serve(entry.artifact.url, packageBytes(entry.version));
}
