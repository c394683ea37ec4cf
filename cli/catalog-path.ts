/**
 * Which catalog file a command reads: the flag, else REDIS_UPGRADER_CATALOG, else the example
 * catalog shipped with the package (resolved from this file, so it works from any directory).
 */
import { fileURLToPath } from 'node:url';
import { Option } from 'commander';

const CATALOG_ENV = 'REDIS_UPGRADER_CATALOG';

const EXAMPLE_CATALOG = fileURLToPath(new URL('../examples/catalog.json', import.meta.url));

export function catalogOption(): Option {
  return new Option('--catalog <file>', 'catalog file, JSON or YAML')
    .env(CATALOG_ENV)
    .default(EXAMPLE_CATALOG, 'examples/catalog.json');
}

/** The path `--catalog` stands for; an empty variable counts as unset. */
export function resolveCatalogPath(flag: string | undefined): string {
  return flag || EXAMPLE_CATALOG;
}
