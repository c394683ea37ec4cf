/**
 * ClusterRegistry for the local runtime: the clusters file (YAML or JSON, a list or
 * `{ clusters: [...] }`) read once at start, plus records registered through `PUT /clusters/{name}`
 * kept in the database. A registered record overrides the file's record of the same name, so an
 * operator can correct one cluster without editing the file.
 */
import { readFile } from 'node:fs/promises';
import type { DatabaseSync } from 'node:sqlite';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { clusterRecordSchema } from '#domain/cluster-schema.ts';
import { ConfigError } from '#domain/errors.ts';
import type { ClusterRecord, ClusterRegistry } from '#shared/ports.ts';
import { statement } from './sqlite-database.ts';

const clusterListSchema = z.array(clusterRecordSchema);

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS clusters (
    name TEXT PRIMARY KEY,
    record TEXT NOT NULL
  ) STRICT;
`;

/** Reads and validates a clusters file; one-line ConfigError naming the entry and field at fault. */
export async function readClustersFile(path: string): Promise<ClusterRecord[]> {
  let data: unknown;
  try {
    data = parseYaml(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read clusters file ${path}: ${(error as Error).message.split('\n')[0]}`, {
      cause: error,
    });
  }
  const wrapped = !Array.isArray(data);
  const list = wrapped ? (data as { clusters?: unknown } | null)?.clusters : data;
  if (!Array.isArray(list)) {
    throw new ConfigError(`clusters file ${path}: expected a list of clusters or { clusters: [...] }`);
  }
  const parsed = clusterListSchema.safeParse(list);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = [...(wrapped ? ['clusters'] : []), ...(issue?.path ?? [])].join('.');
    throw new ConfigError(`clusters file ${path}: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  const records: ClusterRecord[] = parsed.data;
  const seen = new Set<string>();
  for (const record of records) {
    if (seen.has(record.name))
      throw new ConfigError(`clusters file ${path}: cluster ${record.name} is listed twice`);
    seen.add(record.name);
  }
  return records;
}

export class FileClusterRegistry implements ClusterRegistry {
  readonly #db: DatabaseSync;
  readonly #fromFile: ReadonlyMap<string, ClusterRecord>;

  constructor(db: DatabaseSync, fileRecords: readonly ClusterRecord[] = []) {
    this.#db = db;
    this.#fromFile = new Map(fileRecords.map((record) => [record.name, record]));
    db.exec(SCHEMA);
  }

  static async open(db: DatabaseSync, clustersFile?: string): Promise<FileClusterRegistry> {
    return new FileClusterRegistry(db, clustersFile ? await readClustersFile(clustersFile) : []);
  }

  async get(name: string): Promise<ClusterRecord | undefined> {
    const row = statement(this.#db, 'SELECT record FROM clusters WHERE name = ?').get(name) as
      | { record: string }
      | undefined;
    return row ? (JSON.parse(row.record) as ClusterRecord) : this.#fromFile.get(name);
  }

  async put(record: ClusterRecord): Promise<void> {
    statement(
      this.#db,
      'INSERT INTO clusters (name, record) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET record = excluded.record',
    ).run(record.name, JSON.stringify(record));
  }

  async list(): Promise<ClusterRecord[]> {
    const rows = statement(this.#db, 'SELECT record FROM clusters').all() as unknown as { record: string }[];
    const merged = new Map(this.#fromFile);
    for (const row of rows) {
      const record = JSON.parse(row.record) as ClusterRecord;
      merged.set(record.name, record);
    }
    return [...merged.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}
