import { readFile } from 'node:fs/promises';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoReleaseLog } from '#adapters/aws/dynamo-release-log.ts';
import { S3CatalogStore } from '#adapters/aws/s3-catalog-store.ts';
import { ConflictError } from '#domain/errors.ts';
import { applyRelease } from '#domain/webhooks/release.ts';
import { FakeClock } from '#test/fakes/clock.ts';
import { type AwsEmulators, startAwsEmulators } from './support/emulators.ts';

const TABLE = 'upgrader-releases-test';
const BUCKET = 'upgrader-releases';
let aws: AwsEmulators;

beforeAll(async () => {
  aws = await startAwsEmulators();
  await aws.createTable(TABLE);
  aws.fauxqs.createBucket(BUCKET);
});
afterAll(() => aws.stop());

describe('the catalog object as releases change it', () => {
  it('replaces it only from the ETag read: of two releases read at once, the second is refused', async () => {
    // Prepare
    await aws.clients.s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'catalog/catalog.json',
        Body: await readFile('examples/catalog.json'),
      }),
    );
    const store = new S3CatalogStore({ client: aws.clients.s3, bucket: BUCKET, key: 'catalog/catalog.json' });
    const [one, two] = [await store.read(), await store.read()];
    const first = applyRelease(one.catalog, { version: '5.1.0', blocked: 'first' }).catalog;
    const second = applyRelease(two.catalog, { version: '5.0.2', blocked: 'second' }).catalog;
    // Act
    await store.replace(first, one.token);
    const late = store.replace(second, two.token);
    // Assess
    await expect(late).rejects.toBeInstanceOf(ConflictError);
    const now = (await store.read()).catalog.versions;
    expect(now.find((entry) => entry.version === '5.1.0')?.blocked).toBe('first');
    expect(now.find((entry) => entry.version === '5.0.2')?.blocked).toBeUndefined();
  });
});

describe('release ids on DynamoDB', () => {
  it('remembers an id until its replay window ends', async () => {
    // Prepare
    const clock = new FakeClock();
    const log = new DynamoReleaseLog({ client: aws.clients.dynamo, tableName: TABLE }, clock);
    // Act
    await log.remember('rel_1', new Date(clock.now().getTime() + 3600_000));
    const during = await log.seen('rel_1');
    clock.advance(3601);
    // Assess
    expect(during).toBe(true);
    expect(await log.seen('rel_1')).toBe(false);
    expect(await log.seen('rel_2')).toBe(false);
  });
});
