/**
 * ArtifactStore on S3. Objects live at artifacts/<package>/<version>/<file> with the verified
 * sha256 as object metadata. An upload streams through a hash; when the last byte disagrees with
 * the catalog the stream fails, lib-storage aborts the multipart upload (or never issues the
 * single PUT), and nothing is kept. The final write is conditional (If-None-Match: *), so when
 * many clusters of a batch fetch one version at once S3 keeps exactly one object.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ConflictError, NotFoundError, TransientError, ValidationError } from '#domain/errors.ts';
import type { ArtifactRef, ArtifactStore } from '#shared/ports.ts';
import { awsErrorName, httpStatusOf, mapAwsError } from './aws-errors.ts';

export interface S3ArtifactStoreOptions {
  client: S3Client;
  bucket: string;
  /** Multipart part size; S3's minimum is 5 MiB. */
  partSizeBytes?: number;
  /** Parts uploaded in parallel. */
  queueSize?: number;
  /** Where localPath() puts downloaded artifacts (Lambda: /tmp). */
  downloadDir?: string;
}

export const SHA256_METADATA_KEY = 'sha256';
const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

export function artifactKey(ref: ArtifactRef): string {
  for (const [field, value] of [
    ['package', ref.package],
    ['version', ref.version],
    ['fileName', ref.fileName],
  ] as const) {
    if (!SAFE_SEGMENT.test(value) || value.includes('..')) {
      throw new ValidationError(`artifact ${field} "${value}" is not a safe S3 key segment`, {
        code: 'INVALID_ARTIFACT_REF',
      });
    }
  }
  return `artifacts/${ref.package}/${ref.version}/${ref.fileName}`;
}

export class S3ArtifactStore implements ArtifactStore {
  readonly #options: S3ArtifactStoreOptions;
  /** Downloads already verified in this warm process, by key. */
  readonly #local = new Map<string, Promise<string>>();

  constructor(options: S3ArtifactStoreOptions) {
    this.#options = options;
  }

  async has(ref: ArtifactRef): Promise<boolean> {
    return (await this.#stored(ref)) === 'same';
  }

  async #stored(ref: ArtifactRef): Promise<'same' | 'different' | 'absent'> {
    const key = artifactKey(ref);
    try {
      const head = await this.#options.client.send(
        new HeadObjectCommand({ Bucket: this.#options.bucket, Key: key }),
      );
      const sizeMatches = ref.size === undefined || head.ContentLength === ref.size;
      return head.Metadata?.[SHA256_METADATA_KEY] === ref.sha256.toLowerCase() && sizeMatches
        ? 'same'
        : 'different';
    } catch (error) {
      if (httpStatusOf(error) === 404 || awsErrorName(error) === 'NotFound') return 'absent';
      throw mapAwsError(error, `look up artifact ${key}`);
    }
  }

  async put(ref: ArtifactRef, body: AsyncIterable<Uint8Array>): Promise<void> {
    const key = artifactKey(ref);
    if (await this.has(ref)) return;
    const upload = new Upload({
      client: this.#options.client,
      partSize: this.#options.partSizeBytes ?? 8 * 1024 * 1024,
      queueSize: this.#options.queueSize ?? 4,
      leavePartsOnError: false,
      params: {
        Bucket: this.#options.bucket,
        Key: key,
        Body: Readable.from(verified(body, ref)),
        ContentType: 'application/gzip',
        Metadata: { [SHA256_METADATA_KEY]: ref.sha256.toLowerCase() },
        IfNoneMatch: '*',
      },
    });
    try {
      await upload.done();
    } catch (error) {
      if (error instanceof ValidationError) throw error;
      if (!lostConditionalWrite(error)) throw mapAwsError(error, `store artifact ${key}`);
      // Another writer stored this version first; theirs counts only if it is the same artifact.
      const stored = await this.#stored(ref);
      if (stored === 'different') {
        throw new ConflictError(`artifact ${key} already exists with a different checksum or size`, {
          code: 'ARTIFACT_CONFLICT',
          cause: error,
        });
      }
      if (stored === 'absent') {
        throw new TransientError(`a concurrent upload of ${key} is in flight; retry`, { cause: error });
      }
    }
  }

  localPath(ref: ArtifactRef): Promise<string> {
    const key = artifactKey(ref);
    let path = this.#local.get(key);
    if (!path) {
      path = this.#download(ref, key);
      path.catch(() => this.#local.delete(key));
      this.#local.set(key, path);
    }
    return path;
  }

  async #download(ref: ArtifactRef, key: string): Promise<string> {
    const dir = join(
      this.#options.downloadDir ?? tmpdir(),
      'redis-upgrader-artifacts',
      ref.package,
      ref.version,
    );
    const target = join(dir, ref.fileName);
    const partial = `${target}.${process.pid}.${Date.now()}.partial`;
    await mkdir(dir, { recursive: true });
    let object: GetObjectCommandOutput;
    try {
      object = await this.#options.client.send(
        new GetObjectCommand({ Bucket: this.#options.bucket, Key: key }),
      );
    } catch (error) {
      if (httpStatusOf(error) === 404)
        throw new NotFoundError(`artifact ${key} is not stored`, { cause: error });
      throw mapAwsError(error, `download artifact ${key}`);
    }
    if (object.Metadata?.[SHA256_METADATA_KEY] !== ref.sha256.toLowerCase()) {
      throw new ValidationError(`artifact ${key} is stored with a different sha256 than the catalog's`, {
        code: 'CHECKSUM_MISMATCH',
      });
    }
    try {
      await pipeline(
        Readable.from(verified(object.Body as AsyncIterable<Uint8Array>, ref)),
        createWriteStream(partial),
      );
      await rename(partial, target);
    } catch (error) {
      await rm(partial, { force: true });
      if (error instanceof ValidationError) throw error;
      throw mapAwsError(error, `download artifact ${key}`);
    }
    return target;
  }
}

/** Passes bytes through, failing at the end of the stream when the sha256 is not the expected one. */
async function* verified(body: AsyncIterable<Uint8Array>, ref: ArtifactRef): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of body) {
    hash.update(chunk);
    bytes += chunk.byteLength;
    yield chunk;
  }
  const actual = hash.digest('hex');
  if (actual !== ref.sha256.toLowerCase()) {
    throw new ValidationError(
      `artifact ${ref.fileName} ${ref.version}: sha256 is ${actual} (${bytes} bytes), catalog says ${ref.sha256}; nothing was kept`,
      { code: 'CHECKSUM_MISMATCH', details: { expected: ref.sha256, actual, bytes } },
    );
  }
}

/** S3 answers 412 when the object appeared meanwhile, 409 when a concurrent conditional write is in flight. */
function lostConditionalWrite(error: unknown): boolean {
  const name = awsErrorName(error);
  return (
    name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || httpStatusOf(error) === 412
  );
}
