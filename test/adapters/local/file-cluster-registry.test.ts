import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FileClusterRegistry, readClustersFile } from '#adapters/local/file-cluster-registry.ts';
import { openDatabase } from '#adapters/local/sqlite-database.ts';
import { ConfigError } from '#domain/errors.ts';
import { useTempDirs } from './support/temp-dir.ts';

const tempDir = useTempDirs();
const open: DatabaseSync[] = [];

afterEach(() => {
  for (const db of open.splice(0)) if (db.isOpen) db.close();
});

async function fileWith(name: string, text: string): Promise<{ dir: string; path: string }> {
  const dir = await tempDir();
  const path = join(dir, name);
  await writeFile(path, text);
  return { dir, path };
}

const YAML = `
clusters:
  - name: region1
    context: platform-a-region1
    labels: { env: prod, tier: gold }
    platformVersion: 3.18.2
  - name: region2
`;

describe('readClustersFile', () => {
  it('reads YAML with a clusters key and JSON as a plain list', async () => {
    const yaml = await fileWith('clusters.yaml', YAML);
    const json = await fileWith(
      'clusters.json',
      JSON.stringify([{ name: 'edge-1', labels: { env: 'dev' } }]),
    );

    const fromYaml = await readClustersFile(yaml.path);
    const fromJson = await readClustersFile(json.path);

    expect(fromYaml).toEqual([
      {
        name: 'region1',
        context: 'platform-a-region1',
        labels: { env: 'prod', tier: 'gold' },
        platformVersion: '3.18.2',
      },
      { name: 'region2', labels: {} },
    ]);
    expect(fromJson).toEqual([{ name: 'edge-1', labels: { env: 'dev' } }]);
  });

  it('reads the shipped example clusters file', async () => {
    const clusters = await readClustersFile(
      fileURLToPath(new URL('../../../examples/clusters.yaml', import.meta.url)),
    );

    expect(clusters.map((cluster) => [cluster.name, cluster.context ?? cluster.name])).toEqual([
      ['region1', 'acp-prod-region1'],
      ['region2', 'acp-prod-region2'],
      ['staging1', 'staging1'],
    ]);
    expect(clusters[0]?.platformVersion).toBe('3.18.0');
  });

  it('names the entry and field at fault in one line', async () => {
    const bad = await fileWith('clusters.yaml', 'clusters:\n  - name: Region_1\n');
    const dup = await fileWith('dup.yaml', '- name: a\n- name: a\n');
    const unknown = await fileWith('unknown.yaml', '- name: a\n  kontext: x\n');

    await expect(readClustersFile(bad.path)).rejects.toThrow(
      /clusters\.0\.name: must be a lower-case DNS name/,
    );
    await expect(readClustersFile(dup.path)).rejects.toThrow('cluster a is listed twice');
    await expect(readClustersFile(unknown.path)).rejects.toThrow(/0: Unrecognized key: "kontext"/);
    await expect(readClustersFile(join(bad.dir, 'none.yaml'))).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('FileClusterRegistry', () => {
  it('merges the file with registered records, a registered record winning', async () => {
    const { dir, path } = await fileWith('clusters.yaml', YAML);
    const db = openDatabase(dir);
    open.push(db);
    const registry = await FileClusterRegistry.open(db, path);

    await registry.put({ name: 'region2', labels: { env: 'staging' }, context: 'ctx2' });
    await registry.put({ name: 'a-new', labels: {} });

    expect(await registry.get('region2')).toEqual({
      name: 'region2',
      labels: { env: 'staging' },
      context: 'ctx2',
    });
    expect((await registry.get('region1'))?.context).toBe('platform-a-region1');
    expect(await registry.get('nope')).toBeUndefined();
    expect((await registry.list()).map((c) => c.name)).toEqual(['a-new', 'region1', 'region2']);
  });

  it('keeps registered records across a reopen', async () => {
    const dir = await tempDir();
    const db = openDatabase(dir);
    await new FileClusterRegistry(db).put({ name: 'kept', labels: { a: 'b' } });
    db.close();

    const reopened = openDatabase(dir);
    open.push(reopened);

    expect(await new FileClusterRegistry(reopened).list()).toEqual([{ name: 'kept', labels: { a: 'b' } }]);
  });
});
