/**
 * The example plugin packages: one per version of examples/catalog.json, in examples/packages/,
 * each with its OLM bundle and the vendor's upgrade graph (#sim/packages/example-bundles.ts).
 * `npm run sim:packages` (re)writes them and records their sha256/size in the catalog's
 * artifact fields, leaving every other catalog field as it is.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Bundle } from './bundle.ts';
import { exampleBundles } from './example-bundles.ts';
import { buildPluginPackage, packageFileName } from './plugin-package.ts';

const ROOT = resolve(import.meta.dirname, '../..');
export const EXAMPLE_CATALOG_PATH = resolve(ROOT, 'examples/catalog.json');
export const EXAMPLE_PACKAGES_DIR = resolve(ROOT, 'examples/packages');

interface CatalogArtifact {
  url: string;
  sha256: string;
  size: number;
}
interface CatalogVersionEntry {
  version: string;
  csv: string;
  channel: string;
  from?: string;
  blocked?: string;
  artifact: CatalogArtifact;
}
export interface CatalogFile {
  package: string;
  versions: CatalogVersionEntry[];
}

export async function readExampleCatalog(path = EXAMPLE_CATALOG_PATH): Promise<CatalogFile> {
  return JSON.parse(await readFile(path, 'utf8')) as CatalogFile;
}

/** The bundles the example packages carry, by CSV name. */
export function catalogBundles(catalog: CatalogFile): Map<string, Bundle> {
  return new Map(exampleBundles(catalog.package, catalog.versions).map((b) => [b.csv, b]));
}

let exampleBundleCache: Map<string, Bundle> | undefined;

/** catalogBundles of examples/catalog.json, read once. */
export function exampleCatalogBundles(): Map<string, Bundle> {
  exampleBundleCache ??= catalogBundles(
    JSON.parse(readFileSync(EXAMPLE_CATALOG_PATH, 'utf8')) as CatalogFile,
  );
  return exampleBundleCache;
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The package bytes for one catalog entry, refusing an artifact url that names another file. */
export function buildCatalogPackage(
  catalog: CatalogFile,
  entry: CatalogVersionEntry,
): { fileName: string; data: Buffer } {
  const manifest = {
    package: catalog.package,
    version: entry.version,
    csv: entry.csv,
    channel: entry.channel,
  };
  const fileName = packageFileName(manifest);
  if (basename(new URL(entry.artifact.url).pathname) !== fileName) {
    throw new Error(`catalog entry ${entry.version}: artifact.url should end with ${fileName}`);
  }
  return { fileName, data: buildPluginPackage(manifest, catalogBundles(catalog).get(entry.csv)) };
}

export async function writeExamplePackages(
  catalogPath = EXAMPLE_CATALOG_PATH,
  outDir = EXAMPLE_PACKAGES_DIR,
): Promise<string[]> {
  const catalog = await readExampleCatalog(catalogPath);
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const entry of catalog.versions) {
    const { fileName, data } = buildCatalogPackage(catalog, entry);
    await writeFile(resolve(outDir, fileName), data);
    entry.artifact.sha256 = sha256Hex(data);
    entry.artifact.size = data.length;
    written.push(fileName);
  }
  await writeFile(catalogPath, `${JSON.stringify(catalog, null, 2)}\n`);
  return written;
}

if (import.meta.main) {
  const written = await writeExamplePackages();
  console.log(
    `wrote ${written.length} packages to ${EXAMPLE_PACKAGES_DIR} and their sha256/size to ${EXAMPLE_CATALOG_PATH}`,
  );
}
