import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCatalogFile } from '#adapters/local/catalog-file.ts';
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
