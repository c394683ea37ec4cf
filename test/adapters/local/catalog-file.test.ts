import { execFileSync } from 'node:child_process';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_CATALOG_BYTES, readCatalogFile } from '#adapters/local/catalog-file.ts';
import { CatalogError, ConfigError } from '#domain/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'catalog-file-'));

const YAML_CATALOG = `package: redis-operator
versions:
  - version: 4.0.3
    csv: redis-operator.v4.0.3
    channel: stable
    artifact: { url: "https://x.invalid/a.tgz", sha256: "${'0'.repeat(64)}" }
`;

describe('readCatalogFile', () => {
  it('reads a YAML catalog', async () => {
    // Prepare
    const path = join(dir, 'catalog.yaml');
    writeFileSync(path, YAML_CATALOG);

    // Act
    const catalog = await readCatalogFile(path);

    // Assess
    expect(catalog.versions.map((entry) => entry.version)).toEqual(['4.0.3']);
  });

  it('turns a missing file into a one-line ConfigError', async () => {
    // Act
    const reading = readCatalogFile(join(dir, 'absent.json'));

    // Assess
    await expect(reading).rejects.toBeInstanceOf(ConfigError);
    await expect(reading).rejects.toThrow(`cannot read catalog ${join(dir, 'absent.json')}: no such file`);
  });

  it('turns a directory into a ConfigError', async () => {
    // Act
    const reading = readCatalogFile(dir);

    // Assess
    await expect(reading).rejects.toThrow(`cannot read catalog ${dir}: it is a directory`);
  });

  it('refuses a named pipe at once instead of waiting for a writer', async () => {
    // Prepare: a FIFO nobody writes to; opening it for reading would block forever
    const path = join(dir, 'catalog.fifo');
    execFileSync('mkfifo', [path]);

    // Act
    const reading = readCatalogFile(path);

    // Assess
    await expect(reading).rejects.toBeInstanceOf(ConfigError);
    await expect(reading).rejects.toThrow(
      `cannot read catalog ${path}: it is a named pipe (FIFO), not a regular file`,
    );
  });

  it('refuses a device', async () => {
    // Act
    const reading = readCatalogFile('/dev/zero');

    // Assess
    await expect(reading).rejects.toThrow(
      'cannot read catalog /dev/zero: it is a character device, not a regular file',
    );
  });

  it(`reads a catalog of exactly ${MAX_CATALOG_BYTES} bytes and refuses one byte more, unread`, async () => {
    // Prepare: a valid catalog padded to the limit, and a (sparse) file one byte over it
    const atLimit = join(dir, 'at-limit.yaml');
    writeFileSync(atLimit, YAML_CATALOG.padEnd(MAX_CATALOG_BYTES, ' '));
    const over = join(dir, 'over-limit.json');
    writeFileSync(over, '');
    truncateSync(over, MAX_CATALOG_BYTES + 1);

    // Act
    const read = await readCatalogFile(atLimit);
    const refused = readCatalogFile(over);

    // Assess
    expect(read.versions).toHaveLength(1);
    await expect(refused).rejects.toBeInstanceOf(ConfigError);
    await expect(refused).rejects.toThrow(
      `cannot read catalog ${over}: it is 8,388,609 bytes, over the 8 MiB limit for a catalog file`,
    );
  });

  it('names the file in a content error', async () => {
    // Prepare
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{"package": "redis-operator", "versions": []}');

    // Act
    const reading = readCatalogFile(path);

    // Assess
    await expect(reading).rejects.toBeInstanceOf(CatalogError);
    await expect(reading).rejects.toThrow(`catalog ${path} is invalid: versions: lists no versions`);
  });
});
