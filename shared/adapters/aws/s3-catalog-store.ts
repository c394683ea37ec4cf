/**
 * The catalog object as the release webhook changes it: read with its ETag, replaced by a
 * PutObject conditional on that ETag (If-Match), so two releases at once cannot lose each other:
 * the later one gets 409 CATALOG_CHANGED and changes nothing. Warm functions pick the new catalog
 * up when their S3Catalog's TTL passes.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseCatalog } from '#adapters/catalog-text.ts';
import type { Catalog } from '#domain/catalog.ts';
import { ConflictError } from '#domain/errors.ts';
import type { CatalogStore } from '#shared/webhook-ports.ts';
import { awsErrorName, mapAwsError } from './aws-errors.ts';

export class S3CatalogStore implements CatalogStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #key: string;

  constructor(options: { client: S3Client; bucket: string; key: string }) {
    this.#client = options.client;
    this.#bucket = options.bucket;
    this.#key = options.key;
  }

  async read(): Promise<{ catalog: Catalog; token: string }> {
    const where = `s3://${this.#bucket}/${this.#key}`;
    try {
      const object = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#key }));
      const text = (await object.Body?.transformToString('utf8')) ?? '';
      return { catalog: parseCatalog(text, where), token: object.ETag ?? '' };
    } catch (error) {
      throw mapAwsError(error, `read catalog ${where}`);
    }
  }

  async replace(catalog: Catalog, token: string): Promise<void> {
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: this.#key,
          Body: `${JSON.stringify(catalog, null, 2)}\n`,
          ContentType: 'application/json',
          IfMatch: token,
        }),
      );
    } catch (error) {
      if (awsErrorName(error) === 'PreconditionFailed') {
        throw new ConflictError('the catalog changed while the release was applied; send it again', {
          code: 'CATALOG_CHANGED',
        });
      }
      throw mapAwsError(error, `write catalog s3://${this.#bucket}/${this.#key}`);
    }
  }
}
