/**
 * Simulated plugin package files, shaped like the vendor's `redis-operator.<channel>.ALL.v<version>.tgz`:
 * a gzip'd tar holding `manifest.yaml` (package, version, csv, channel), the operator's OLM bundle
 * under `bundle/` (#sim/packages/bundle.ts) and an image layer of filler bytes. The filler is pseudo-random so gzip cannot shrink it, which makes `fillerBytes`
 * an honest size knob, and it is derived from the version so the bytes are reproducible.
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parse, stringify } from 'yaml';
import * as z from 'zod';
import { type Bundle, BundleFormatError, bundleFiles, readBundle } from './bundle.ts';
import { readTar, TarFormatError, writeTar } from './tar-archive.ts';

export const MANIFEST_FILE = 'manifest.yaml';
export const DEFAULT_FILLER_BYTES = 8192;
/** 2025-01-01T00:00:00Z: a fixed mtime keeps the archives byte-for-byte reproducible. */
const FIXED_MTIME_SECONDS = 1_735_689_600;

export const packageManifestSchema = z.object({
  package: z.string().min(1),
  version: z.string().min(1),
  csv: z.string().min(1),
  channel: z.string().min(1),
});
export type PluginManifest = z.infer<typeof packageManifestSchema>;

export interface PluginPackage {
  manifest: PluginManifest;
  /** The OLM bundle, when the package carries one (operator packages do). */
  bundle: Bundle | undefined;
  files: string[];
}

/** The archive is unreadable (not gzip, broken tar): what violet reports as a corrupt package. */
export class CorruptPackageError extends Error {}
/** The archive reads but is not a plugin package violet knows how to push. */
export class UnknownPackageError extends Error {}

export function packageFileName(manifest: Pick<PluginManifest, 'package' | 'channel' | 'version'>): string {
  return `${manifest.package}.${manifest.channel}.ALL.v${manifest.version}.tgz`;
}

function filler(seed: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  let block = createHash('sha256').update(seed).digest();
  for (let offset = 0; offset < length; offset += block.length) {
    block.copy(out, offset, 0, Math.min(block.length, length - offset));
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

export function buildPluginPackage(
  manifest: PluginManifest,
  bundle?: Bundle,
  fillerBytes = DEFAULT_FILLER_BYTES,
): Buffer {
  const tar = writeTar(
    [
      { name: MANIFEST_FILE, data: Buffer.from(stringify({ ...manifest, type: 'operator' })) },
      ...(bundle ? bundleFiles(bundle) : []),
      {
        name: `images/${manifest.package}-v${manifest.version}.tar`,
        data: filler(`${manifest.package}@${manifest.version}`, fillerBytes),
      },
    ],
    FIXED_MTIME_SECONDS,
  );
  return gzipSync(tar, { level: 9 });
}

function unpack(archive: Buffer) {
  try {
    return readTar(gunzipSync(archive));
  } catch (error) {
    const reason = error instanceof TarFormatError ? error.message : 'not a gzip archive';
    throw new CorruptPackageError(`corrupt package: ${reason}`, { cause: error });
  }
}

/** Throws CorruptPackageError or UnknownPackageError, each with a message fit for stderr. */
export function readPluginPackage(archive: Buffer): PluginPackage {
  const entries = unpack(archive);
  const manifestEntry = entries.find((entry) => entry.name === MANIFEST_FILE);
  if (!manifestEntry) throw new UnknownPackageError(`not a plugin package: ${MANIFEST_FILE} is missing`);
  let raw: unknown;
  try {
    raw = parse(Buffer.from(manifestEntry.data).toString('utf8'));
  } catch (error) {
    throw new UnknownPackageError(`not a plugin package: ${MANIFEST_FILE} is not YAML`, { cause: error });
  }
  const parsed = packageManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ');
    throw new UnknownPackageError(`not a plugin package: ${MANIFEST_FILE} lacks or mistypes ${fields}`);
  }
  const manifest = parsed.data;
  if (manifest.csv !== `${manifest.package}.v${manifest.version}`) {
    throw new UnknownPackageError(
      `not a plugin package: csv ${manifest.csv} does not match ${manifest.package} version ${manifest.version}`,
    );
  }
  let bundle: Bundle | undefined;
  try {
    bundle = readBundle(entries.map((entry) => ({ name: entry.name, data: Buffer.from(entry.data) })));
  } catch (error) {
    if (error instanceof BundleFormatError)
      throw new UnknownPackageError(`not a plugin package: ${error.message}`);
    throw error;
  }
  if (bundle && (bundle.package !== manifest.package || bundle.csv !== manifest.csv)) {
    throw new UnknownPackageError(
      `not a plugin package: its bundle holds ${bundle.csv} of ${bundle.package}, not ${manifest.csv}`,
    );
  }
  return { manifest, bundle, files: entries.map((entry) => entry.name) };
}
