/**
 * Which catalog file a command reads: the flag, else REDIS_UPGRADER_CATALOG, else the example
 * catalog shipped with the package (resolved from this file, so it works from any directory).
 */
import { fileURLToPath } from 'node:url';

export const CATALOG_ENV = 'REDIS_UPGRADER_CATALOG';

const EXAMPLE_CATALOG = fileURLToPath(new URL('../examples/catalog.json', import.meta.url));

export function resolveCatalogPath(flag: string | undefined): string {
  return flag ?? (process.env[CATALOG_ENV] || EXAMPLE_CATALOG);
}
