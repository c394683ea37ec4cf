import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Bundle } from '#sim/packages/bundle.ts';
import {
  buildCatalogPackage,
  EXAMPLE_PACKAGES_DIR,
  exampleCatalogBundles,
  readExampleCatalog,
  sha256Hex,
} from '#sim/packages/example-packages.ts';
import {
  buildPluginPackage,
  CorruptPackageError,
  packageFileName,
  readPluginPackage,
  UnknownPackageError,
} from '#sim/packages/plugin-package.ts';
import { writeTar } from '#sim/packages/tar-archive.ts';

const manifest = {
  package: 'redis-operator',
  version: '4.0.3',
  csv: 'redis-operator.v4.0.3',
  channel: 'stable',
};

describe('plugin package files', () => {
  it('names the file the way the vendor does', () => {
    expect(packageFileName(manifest)).toBe('redis-operator.stable.ALL.v4.0.3.tgz');
  });

  it('reads back the manifest and the OLM bundle it was built with', () => {
    // Prepare
    const bundle = exampleCatalogBundles().get('redis-operator.v4.0.3') as Bundle;
    const archive = buildPluginPackage(manifest, bundle, 4096);

    // Act
    const read = readPluginPackage(archive);

    // Assess
    expect(read.manifest).toEqual(manifest);
    expect(read.bundle).toEqual(bundle);
    expect(read.bundle).toMatchObject({
      replaces: 'redis-operator.v4.0.2',
      skipRange: '>=3.0.0 <4.0.3',
      channels: ['stable'],
      defaultChannel: 'stable',
    });
    expect(read.files.slice(0, 4)).toEqual([
      'manifest.yaml',
      'bundle/metadata/annotations.yaml',
      'bundle/manifests/redis-operator.clusterserviceversion.yaml',
      'bundle/manifests/redis.middleware.alauda.io.crd.yaml',
    ]);
    expect(read.files.at(-1)).toBe('images/redis-operator-v4.0.3.tar');
  });

  it('refuses a bundle that is not the package it comes with', () => {
    const other = exampleCatalogBundles().get('redis-operator.v4.0.2') as Bundle;
    expect(() => readPluginPackage(buildPluginPackage(manifest, other))).toThrow(
      'not a plugin package: its bundle holds redis-operator.v4.0.2 of redis-operator, not redis-operator.v4.0.3',
    );
  });

  it('grows with the filler size because the filler does not compress', () => {
    const small = buildPluginPackage(manifest, undefined, 1024);
    const large = buildPluginPackage(manifest, undefined, 64 * 1024);
    expect(large.length - small.length).toBeGreaterThan(63 * 1024);
  });

  it('builds byte-identical archives on every run (the committed files are reproducible)', async () => {
    // Prepare
    const catalog = await readExampleCatalog();

    for (const entry of catalog.versions) {
      // Act
      const { fileName, data } = buildCatalogPackage(catalog, entry);
      const onDisk = await readFile(resolve(EXAMPLE_PACKAGES_DIR, fileName));

      // Assess
      expect(sha256Hex(data), fileName).toBe(sha256Hex(onDisk));
      expect(entry.artifact.sha256, fileName).toBe(sha256Hex(onDisk));
      expect(entry.artifact.size, fileName).toBe(onDisk.length);
    }
  });

  it.each([
    ['random bytes', Buffer.from('this is not a tgz at all')],
    ['a truncated archive', buildPluginPackage(manifest).subarray(0, 600)],
    ['gzip of something that is not a tar', gzipSync(Buffer.alloc(700, 7))],
  ])('refuses %s as corrupt', (_label, archive) => {
    expect(() => readPluginPackage(archive)).toThrow(CorruptPackageError);
  });

  it('refuses a tar without a manifest as an unknown package', () => {
    const archive = gzipSync(writeTar([{ name: 'README', data: Buffer.from('hello') }]));
    expect(() => readPluginPackage(archive)).toThrow(/manifest.yaml is missing/);
  });

  it('names the manifest fields that are missing', () => {
    const archive = gzipSync(
      writeTar([{ name: 'manifest.yaml', data: Buffer.from('package: redis-operator\n') }]),
    );
    expect(() => readPluginPackage(archive)).toThrow(UnknownPackageError);
    expect(() => readPluginPackage(archive)).toThrow(/version, csv, channel/);
  });

  it('refuses a manifest whose csv does not match its version', () => {
    const body = 'package: redis-operator\nversion: 4.0.3\ncsv: redis-operator.v4.0.2\nchannel: stable\n';
    const archive = gzipSync(writeTar([{ name: 'manifest.yaml', data: Buffer.from(body) }]));
    expect(() => readPluginPackage(archive)).toThrow(/does not match/);
  });
});
