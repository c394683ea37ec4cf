/**
 * Reads a catalog file from disk. File-system failures become one-line ConfigErrors (the path we
 * were pointed at is unusable); content problems are CatalogErrors from parseCatalog (#adapters/catalog-text.ts).
 * Only a regular file of at most MAX_CATALOG_BYTES is read: a FIFO with no writer would block
 * the read forever, and a device or a huge file would be read into memory before any check.
 */
import { constants, type Stats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { parseCatalog } from '#adapters/catalog-text.ts';
import type { Catalog } from '#domain/catalog.ts';
import { ConfigError, errorMessage } from '#domain/errors.ts';

/** A catalog of 10,000 versions, pretty-printed, is about 4 MiB; a real one is a few hundred KiB. */
export const MAX_CATALOG_BYTES = 8 * 1024 * 1024;

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory, not a regular file',
  ENOTDIR: 'a parent of it is not a directory',
};

function unreadable(path: string, reason: string, options: { cause?: unknown; code?: string } = {}) {
  return new ConfigError(`cannot read catalog ${path}: ${reason}`, {
    cause: options.cause,
    details: { path, code: options.code },
  });
}

function fileSystemFailure(path: string, error: unknown): ConfigError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const reason = REASONS[code] ?? errorMessage(error);
  return unreadable(path, reason, { cause: error, code });
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'a special file';
}

function tooLarge(path: string, bytes: string): ConfigError {
  const limit = `${MAX_CATALOG_BYTES / 1024 / 1024} MiB`;
  return unreadable(
    path,
    `it is ${bytes} bytes, over the ${limit} limit for a catalog file: point at the catalog itself`,
    {
      code: 'TOO_LARGE',
    },
  );
}

const count = (bytes: number) => new Intl.NumberFormat('en').format(bytes);

async function readAtMostLimit(path: string, handle: FileHandle): Promise<string> {
  const stats = await handle.stat();
  if (!stats.isFile())
    throw unreadable(path, `it is ${kindOf(stats)}, not a regular file`, { code: 'NOT_FILE' });
  if (stats.size > MAX_CATALOG_BYTES) throw tooLarge(path, count(stats.size));
  // The file may grow after the stat: read one byte past the limit at most, and refuse if it is there.
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of handle.createReadStream({ end: MAX_CATALOG_BYTES, autoClose: false })) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  if (size > MAX_CATALOG_BYTES) throw tooLarge(path, `at least ${count(size)}`);
  return Buffer.concat(chunks).toString('utf8');
}

export async function readCatalogFile(path: string): Promise<Catalog> {
  let handle: FileHandle;
  try {
    // Non-blocking, so opening a FIFO returns at once and the stat can refuse it.
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw fileSystemFailure(path, error);
  }
  let text: string;
  try {
    text = await readAtMostLimit(path, handle);
  } catch (error) {
    throw error instanceof ConfigError ? error : fileSystemFailure(path, error);
  } finally {
    await handle.close();
  }
  return parseCatalog(text, path);
}
