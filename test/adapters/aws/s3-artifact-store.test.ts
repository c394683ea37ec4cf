import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ArtifactStore } from '#adapters/aws/s3-artifact-store.ts';
import type { ArtifactRef } from '#shared/ports.ts';
import { type AwsEmulators, startAwsEmulators } from './support/emulators.ts';

const BUCKET = 'artifacts-test';
let aws: AwsEmulators;

beforeAll(async () => {
  aws = await startAwsEmulators();
  aws.fauxqs.createBucket(BUCKET);
});
afterAll(() => aws.stop());

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function refFor(version: string, data: Buffer, sha = sha256(data)): ArtifactRef {
  return {
    package: 'redis-operator',
    version,
    fileName: `redis-operator.v${version}.tgz`,
    sha256: sha,
    size: data.length,
  };
}

async function* chunksOf(data: Buffer, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < data.length; offset += size) yield data.subarray(offset, offset + size);
}

const store = (partSizeBytes = 5 * 1024 * 1024) =>
  new S3ArtifactStore({
    client: aws.clients.s3,
    bucket: BUCKET,
    partSizeBytes,
    downloadDir: join(tmpdir(), `s3-store-${process.pid}`),
  });

async function keysUnder(prefix: string): Promise<string[]> {
  const listed = await aws.clients.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (listed.Contents ?? []).map((object) => object.Key ?? '');
}

describe('S3ArtifactStore', () => {
  it('stores under artifacts/<package>/<version>/<file> with the sha256 as metadata', async () => {
    const data = randomBytes(10_000);
    const ref = refFor('4.0.3', data);

    await store().put(ref, chunksOf(data));

    const head = await aws.clients.s3.send(
      new HeadObjectCommand({
        Bucket: BUCKET,
        Key: 'artifacts/redis-operator/4.0.3/redis-operator.v4.0.3.tgz',
      }),
    );
    expect(head.Metadata?.sha256).toBe(ref.sha256);
    expect(head.ContentLength).toBe(10_000);
    expect(await store().has(ref)).toBe(true);
  });

  it('uploads a large artifact in multipart parts and reads it back byte for byte', async () => {
    const data = randomBytes(12 * 1024 * 1024 + 123);
    const ref = refFor('4.2.0', data);

    await store(5 * 1024 * 1024).put(ref, chunksOf(data, 1024 * 1024));
    const path = await store().localPath(ref);

    const uploads = aws.fauxqs.spy
      .getAllMessages()
      .filter((event) => event.service === 's3' && 'key' in event && event.key.includes('4.2.0'));
    expect(uploads.map((event) => event.status)).toContain('uploaded');
    expect(sha256(await readFile(path))).toBe(ref.sha256);
  });

  it('keeps nothing when the bytes do not match the catalog sha256, single part or multipart', async () => {
    const small = randomBytes(1000);
    const large = randomBytes(11 * 1024 * 1024);

    const smallPut = store().put(refFor('9.0.0', small, sha256(Buffer.from('other'))), chunksOf(small));
    const largePut = store().put(
      refFor('9.0.1', large, sha256(Buffer.from('other'))),
      chunksOf(large, 1024 * 1024),
    );

    await expect(smallPut).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' });
    await expect(largePut).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' });
    expect(await keysUnder('artifacts/redis-operator/9.0.')).toEqual([]);
  });

  it('stores one version once when many writers race (If-None-Match)', async () => {
    const data = randomBytes(50_000);
    const ref = refFor('4.1.1', data);
    aws.fauxqs.spy.clear();

    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => store().put(ref, chunksOf(data))),
    );

    expect(results.map((result) => result.status)).toEqual(Array(5).fill('fulfilled'));
    const stored = aws.fauxqs.spy
      .getAllMessages()
      .filter(
        (event) =>
          event.service === 's3' &&
          'key' in event &&
          event.key.includes('4.1.1') &&
          event.status === 'uploaded',
      );
    expect(stored).toHaveLength(1);
  });

  it('does not take an object with other metadata for the artifact, and refuses to overwrite it', async () => {
    const data = randomBytes(2000);
    const ref = refFor('5.0.0', data);
    await aws.clients.s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'artifacts/redis-operator/5.0.0/redis-operator.v5.0.0.tgz',
        Body: data,
        Metadata: { sha256: 'f'.repeat(64) },
      }),
    );

    const present = await store().has(ref);
    const putting = store().put(ref, chunksOf(data));

    expect(present).toBe(false);
    await expect(putting).rejects.toMatchObject({ code: 'ARTIFACT_CONFLICT' });
  });

  it('refuses key segments that could escape the layout', async () => {
    const ref = {
      package: 'redis-operator',
      version: '../../etc',
      fileName: 'x.tgz',
      sha256: 'a'.repeat(64),
    };

    await expect(store().has(ref)).rejects.toMatchObject({ code: 'INVALID_ARTIFACT_REF' });
  });

  it('answers NotFoundError for localPath of an artifact never stored', async () => {
    const data = Buffer.from('never');

    await expect(store().localPath(refFor('7.7.7', data))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
