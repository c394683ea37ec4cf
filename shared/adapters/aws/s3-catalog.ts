/**
 * The catalog in production: a JSON/YAML object in the artifact bucket, read at cold start and
 * re-read when older than the TTL, so a released version reaches warm functions within minutes.
 * A catalog that fails to load or parse keeps the last good one (logged by the caller).
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseCatalog } from '#adapters/catalog-text.ts';
import type { Catalog } from '#domain/catalog.ts';
import type { Clock } from '#shared/ports.ts';
import { mapAwsError } from './aws-errors.ts';

/** How long a warm function keeps the catalog it read: a released version reaches all within it. */
export const CATALOG_TTL_SECONDS = 60;

export interface S3CatalogOptions {
  client: S3Client;
  bucket: string;
  key: string;
  clock: Clock;
  ttlMs?: number;
}

export class S3Catalog {
  readonly #options: S3CatalogOptions;
  #catalog: Catalog | undefined;
  #loadedAt = 0;

  constructor(options: S3CatalogOptions) {
    this.#options = options;
  }

  /** The catalog last loaded; call refresh() first on every invocation. */
  get current(): Catalog {
    if (!this.#catalog) throw new Error('catalog read before it was loaded');
    return this.#catalog;
  }

  async refresh(): Promise<void> {
    const now = this.#options.clock.now().getTime();
    if (this.#catalog && now - this.#loadedAt < (this.#options.ttlMs ?? CATALOG_TTL_SECONDS * 1000)) return;
    const { bucket, key } = this.#options;
    let text: string;
    try {
      const object = await this.#options.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      text = (await object.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      if (this.#catalog) return;
      throw mapAwsError(error, `read catalog s3://${bucket}/${key}`);
    }
    try {
      this.#catalog = parseCatalog(text, `s3://${bucket}/${key}`);
    } catch (error) {
      if (!this.#catalog) throw error;
    }
    this.#loadedAt = now;
  }
}
