/**
 * The catalog file as the release webhook changes it: read with the sha256 of its text as the
 * token, replaced only if the text still has it, by writing a temporary file beside it and
 * renaming it over (a reader sees the old catalog or the new one, never half of one). Replaces
 * in this process run one at a time, so the check and the rename cannot interleave. `current`
 * is the catalog as last read or written, which the local runtime's consumers and API read.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { Catalog } from '#domain/catalog.ts';
import { ConflictError } from '#domain/errors.ts';
import type { CatalogStore } from '#shared/webhook-ports.ts';
import { readCatalogFile } from './catalog-file.ts';

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

export class FileCatalogStore implements CatalogStore {
  readonly #path: string;
  #current: Catalog;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(path: string, loaded: Catalog) {
    this.#path = path;
    this.#current = loaded;
  }

  get current(): Catalog {
    return this.#current;
  }

  async read(): Promise<{ catalog: Catalog; token: string }> {
    const text = await readFile(this.#path, 'utf8');
    // The file reader's checks (regular file, size, contract) on the same path.
    const catalog = await readCatalogFile(this.#path);
    this.#current = catalog;
    return { catalog, token: digest(text) };
  }

  replace(catalog: Catalog, token: string): Promise<void> {
    const run = this.#queue.then(async () => {
      const text = await readFile(this.#path, 'utf8');
      if (digest(text) !== token) {
        throw new ConflictError('the catalog changed while the release was applied; send it again', {
          code: 'CATALOG_CHANGED',
        });
      }
      const temporary = `${this.#path}.${randomUUID()}.tmp`;
      await writeFile(temporary, `${JSON.stringify(catalog, null, 2)}\n`);
      await rename(temporary, this.#path);
      this.#current = catalog;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
