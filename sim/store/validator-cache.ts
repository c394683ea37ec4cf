/**
 * Compiled CRD validators kept on disk between simulator processes. Ajv's compile of the vendored
 * CRD schemas (the ClusterServiceVersion's alone ~0.5 s) cost every process that seeds a cluster
 * ~1.5 s of CPU; loading the same validators as Ajv's standalone code, written by the first process
 * that compiled them, costs ~0.4 s. The file name is a hash of everything the generated code depends
 * on (Ajv's version and install, its options, the schema), so a changed schema or Ajv compiles
 * afresh; a file that cannot be read or written only means compiling, as without the cache.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Ajv, ValidateFunction } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';

const require = createRequire(import.meta.url);
const AJV_PACKAGE = require.resolve('ajv/package.json');
const AJV_VERSION = (require(AJV_PACKAGE) as { version: string }).version;
// Per user, and only used when it is this user's own directory that no one else can write: its
// files are code this process runs.
const CACHE_DIR = join(tmpdir(), `redis-upgrader-sim-validators-${process.getuid?.() ?? 'user'}`);
let usable: boolean | undefined;

function cacheDirUsable(): boolean {
  if (usable === undefined) {
    try {
      mkdirSync(CACHE_DIR, { recursive: true, mode: 0o700 });
      const dir = lstatSync(CACHE_DIR);
      usable = dir.isDirectory() && dir.uid === (process.getuid?.() ?? dir.uid) && (dir.mode & 0o022) === 0;
    } catch {
      usable = false;
    }
  }
  return usable;
}

/** The standalone code requires Ajv's runtime helpers by package name; the cache file is outside the project. */
function withAbsoluteRequires(code: string): string {
  return code.replace(
    /require\("(ajv\/[^"]+)"\)/g,
    (_, id: string) => `require(${JSON.stringify(require.resolve(id))})`,
  );
}

/** `ajv.compile(schema)`, or the same validator from the cache. `ajv` needs `code: { source: true }`. */
export function compileCached(ajv: Ajv, options: object, schema: object): ValidateFunction {
  if (!cacheDirUsable()) return ajv.compile(schema);
  const key = createHash('sha256')
    .update(JSON.stringify([AJV_VERSION, dirname(AJV_PACKAGE), options, schema]))
    .digest('hex')
    .slice(0, 40);
  const file = join(CACHE_DIR, `${key}.cjs`);
  try {
    return require(file) as ValidateFunction;
  } catch {
    // not cached yet (or unreadable): compile, then keep it for the next process
  }
  const validate = ajv.compile(schema);
  try {
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, withAbsoluteRequires(standalone.default(ajv, validate)));
    // A rename is atomic: a process starting meanwhile reads the whole file or none.
    renameSync(partial, file);
  } catch {
    // a read-only or full temp dir: the next process compiles too
  }
  return validate;
}
