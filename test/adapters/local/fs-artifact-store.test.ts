import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsArtifactStore } from '#adapters/local/fs-artifact-store.ts';
import { NotFoundError, ValidationError } from '#domain/errors.ts';
import type { ArtifactRef } from '#shared/ports.ts';
import { useTempDirs } from './support/temp-dir.ts';

const tempDir = useTempDirs();

const CONTENT = Buffer.from('redis-operator package bytes '.repeat(4000));

function refFor(content: Buffer, overrides: Partial<ArtifactRef> = {}): ArtifactRef {
  return {
    package: 'redis-operator',
    version: '4.0.3',
    fileName: 'redis-operator.stable.ALL.v4.0.3.tgz',
    sha256: createHash('sha256').update(content).digest('hex'),
    size: content.length,
    ...overrides,
  };
}

/** A body in chunks that records how far it was read. */
function chunked(content: Buffer, chunkSize = 8192) {
  const progress = { chunksRead: 0, finished: false };
  async function* body(): AsyncGenerator<Uint8Array> {
    for (let offset = 0; offset < content.length; offset += chunkSize) {
      progress.chunksRead++;
      await new Promise((resolve) => setImmediate(resolve));
      yield content.subarray(offset, offset + chunkSize);
    }
    progress.finished = true;
  }
  return { body: body(), progress };
}

async function filesUnder(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { recursive: true })).map(String).sort();
  } catch {
    return [];
  }
}

describe('FsArtifactStore', () => {
  it('stores a verified artifact under artifacts/<package>/<version>/<file>', async () => {
    const dir = await tempDir();
    const store = new FsArtifactStore(dir);
    const ref = refFor(CONTENT);

    const before = await store.has(ref);
    await store.put(ref, chunked(CONTENT).body);
    const path = await store.localPath(ref);

    expect(before).toBe(false);
    expect(await store.has(ref)).toBe(true);
    expect(path).toBe(join(dir, 'artifacts', 'redis-operator', '4.0.3', ref.fileName));
    expect((await readFile(path)).equals(CONTENT)).toBe(true);
  });

  it('keeps nothing when the sha256 does not match', async () => {
    const dir = await tempDir();
    const store = new FsArtifactStore(dir);
    const ref = refFor(CONTENT, { sha256: 'f'.repeat(64) });

    const put = store.put(ref, chunked(CONTENT).body);

    await expect(put).rejects.toBeInstanceOf(ValidationError);
    await expect(put).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' });
    expect(await store.has(ref)).toBe(false);
    await expect(store.localPath(ref)).rejects.toBeInstanceOf(NotFoundError);
    expect(await filesUnder(join(dir, 'artifacts', 'redis-operator', '4.0.3'))).toEqual([]);
  });

  it('stops reading a body that grows past the catalog size', async () => {
    const dir = await tempDir();
    const store = new FsArtifactStore(dir);
    const ref = refFor(CONTENT, { size: 10_000 });
    const { body, progress } = chunked(CONTENT);

    await expect(store.put(ref, body)).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' });

    expect(progress.finished).toBe(false);
    expect(await filesUnder(join(dir, 'artifacts', 'redis-operator', '4.0.3'))).toEqual([]);
  });

  it('stores concurrent puts of one artifact once, without reading the other bodies', async () => {
    const dir = await tempDir();
    const store = new FsArtifactStore(dir);
    const ref = refFor(CONTENT);
    const bodies = Array.from({ length: 5 }, () => chunked(CONTENT));

    await Promise.all(bodies.map(({ body }) => store.put(ref, body)));

    expect(bodies.filter(({ progress }) => progress.finished)).toHaveLength(1);
    expect(bodies.filter(({ progress }) => progress.chunksRead === 0)).toHaveLength(4);
    expect(await filesUnder(join(dir, 'artifacts', 'redis-operator', '4.0.3'))).toEqual([
      ref.fileName,
      `${ref.fileName}.sha256`,
    ]);
  });

  it('lets a waiting put store its own body when the first one failed verification', async () => {
    const dir = await tempDir();
    const store = new FsArtifactStore(dir);
    const ref = refFor(CONTENT);
    const corrupt = Buffer.from(CONTENT);
    corrupt[100] = 0;

    const [bad, good] = await Promise.allSettled([
      store.put(ref, chunked(corrupt).body),
      store.put(ref, chunked(CONTENT).body),
    ]);

    expect(bad).toMatchObject({ status: 'rejected', reason: { code: 'CHECKSUM_MISMATCH' } });
    expect(good.status).toBe('fulfilled');
    expect((await readFile(await store.localPath(ref))).equals(CONTENT)).toBe(true);
  });

  it('refuses names that would leave its directory', async () => {
    const store = new FsArtifactStore(await tempDir());

    await expect(store.has(refFor(CONTENT, { version: '..' }))).rejects.toBeInstanceOf(ValidationError);
    await expect(
      store.put(refFor(CONTENT, { fileName: '../escape.tgz' }), chunked(CONTENT).body),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});
