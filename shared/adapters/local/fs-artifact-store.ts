/**
 * ArtifactStore on the local filesystem: <dataDir>/artifacts/<package>/<version>/<file>, with the
 * verified sha256 in a `<file>.sha256` beside it. A put streams into a private temp file while
 * hashing, and only a matching hash is renamed into place (rename is atomic), so a reader never
 * sees a partial or wrong package and a mismatch leaves nothing behind.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NotFoundError, ValidationError } from '#domain/errors.ts';
import type { ArtifactRef, ArtifactStore } from '#shared/ports.ts';

/** One path segment: no separators, no leading dot (so no `..`, no hidden temp names). */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
const SHA256 = /^[0-9a-f]{64}$/;

interface ArtifactPaths {
  dir: string;
  file: string;
  checksum: string;
}

/** Hashes and counts bytes as they pass; refuses early once more than `limit` bytes arrived. */
class HashingCounter extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  readonly #limit: number | undefined;

  constructor(limit: number | undefined) {
    super();
    this.#limit = limit;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.#limit !== undefined && this.bytes > this.#limit) {
      done(
        new ValidationError(`artifact is larger than the catalog's ${this.#limit} bytes`, {
          code: 'CHECKSUM_MISMATCH',
        }),
      );
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }
}

async function discard(body: AsyncIterable<Uint8Array>): Promise<void> {
  // Leaving a download stream unread would hold its connection open.
  await body[Symbol.asyncIterator]().return?.();
}

export class FsArtifactStore implements ArtifactStore {
  readonly #root: string;
  readonly #inFlight = new Map<string, Promise<void>>();

  constructor(dataDir: string) {
    this.#root = join(dataDir, 'artifacts');
  }

  async has(ref: ArtifactRef): Promise<boolean> {
    const paths = this.#paths(ref);
    try {
      const [recorded, info] = await Promise.all([readFile(paths.checksum, 'utf8'), stat(paths.file)]);
      return (
        recorded.trim() === ref.sha256.toLowerCase() && (ref.size === undefined || info.size === ref.size)
      );
    } catch {
      return false;
    }
  }

  async put(ref: ArtifactRef, body: AsyncIterable<Uint8Array>): Promise<void> {
    const paths = this.#paths(ref);
    // Puts of one file queue behind each other (registered synchronously, so none slips past);
    // a put that finds the file stored by the one before it discards its own body.
    const previous = this.#inFlight.get(paths.file);
    const mine = (async () => {
      await previous?.catch(() => undefined);
      if (await this.has(ref)) await discard(body);
      else await this.#store(ref, paths, body);
    })();
    this.#inFlight.set(paths.file, mine);
    try {
      await mine;
    } finally {
      if (this.#inFlight.get(paths.file) === mine) this.#inFlight.delete(paths.file);
    }
  }

  async localPath(ref: ArtifactRef): Promise<string> {
    if (!(await this.has(ref))) {
      throw new NotFoundError(`artifact ${ref.package} ${ref.version} (${ref.fileName}) is not stored`);
    }
    return this.#paths(ref).file;
  }

  async #store(ref: ArtifactRef, paths: ArtifactPaths, body: AsyncIterable<Uint8Array>): Promise<void> {
    await mkdir(paths.dir, { recursive: true });
    const temp = join(paths.dir, `.${ref.fileName}.${randomUUID()}.part`);
    const counter = new HashingCounter(ref.size);
    try {
      await pipeline(body, counter, createWriteStream(temp, { flags: 'wx' }));
      const actual = counter.hash.digest('hex');
      const expected = ref.sha256.toLowerCase();
      if (actual !== expected || (ref.size !== undefined && counter.bytes !== ref.size)) {
        throw new ValidationError(
          `artifact ${ref.fileName} does not match the catalog: sha256 ${actual} (${counter.bytes} bytes), expected ${expected}${ref.size === undefined ? '' : ` (${ref.size} bytes)`}`,
          {
            code: 'CHECKSUM_MISMATCH',
            details: { expectedSha256: expected, actualSha256: actual, bytes: counter.bytes },
          },
        );
      }
      await rename(temp, paths.file);
      const checksumTemp = `${temp}.sha256`;
      await writeFile(checksumTemp, `${expected}\n`);
      await rename(checksumTemp, paths.checksum);
    } finally {
      await rm(temp, { force: true });
    }
  }

  #paths(ref: ArtifactRef): ArtifactPaths {
    for (const [field, value] of [
      ['package', ref.package],
      ['version', ref.version],
      ['fileName', ref.fileName],
    ] as const) {
      if (!SEGMENT.test(value))
        throw new ValidationError(`artifact ${field} "${value}" is not a safe file name`);
    }
    if (!SHA256.test(ref.sha256.toLowerCase()))
      throw new ValidationError(`artifact sha256 "${ref.sha256}" is not 64 hex digits`);
    const dir = join(this.#root, ref.package, ref.version);
    const file = join(dir, ref.fileName);
    return { dir, file, checksum: `${file}.sha256` };
  }
}
