/**
 * Reads a catalog file from disk. File-system failures become one-line ConfigErrors (the path we
 * were pointed at is unusable); content problems are CatalogErrors from parseCatalog.
 */
import { readFile } from 'node:fs/promises';
import { type Catalog, parseCatalog } from '#domain/catalog.ts';
import { ConfigError } from '#domain/errors.ts';

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a parent of it is not a directory',
};

export async function readCatalogFile(path: string): Promise<Catalog> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const reason = REASONS[code] ?? (error instanceof Error ? error.message : String(error));
    throw new ConfigError(`cannot read catalog ${path}: ${reason}`, {
      cause: error,
      details: { path, code },
    });
  }
  return parseCatalog(text, path);
}
