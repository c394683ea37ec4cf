/**
 * `sim --state-dir`: the fleet's objects in one SQLite file (node:sqlite, WAL), written through on
 * every commit, so a simulator killed at any moment comes back with its clusters where they were
 * and their resourceVersions still increasing. One transaction holds a commit and the writes its
 * listeners make (controllers, the side-effect ledger), so no restart sees half of a reaction.
 * Also kept: the CA (a restarted simulator is still trusted by the kubeconfigs it wrote), each
 * platform's port and the bundles uploaded to the platforms' registries. The file is locked by the simulator that opened it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { ConfigError } from '#domain/errors.ts';
import type { SavedLedger } from '#sim/ledger.ts';
import type { Bundle } from '#sim/packages/bundle.ts';
import type { PersistedEntry, StorePersistence } from '#sim/store/cluster-store.ts';
import type { StoredEntry } from '#sim/store/event-history.ts';
import type { SimCertificateAuthority } from '#sim/tls/sim-certificates.ts';

export const STATE_FILE = 'fleet-state.db';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS clusters (name TEXT PRIMARY KEY, rv INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS objects (
  cluster TEXT NOT NULL, bucket TEXT NOT NULL, key TEXT NOT NULL, json TEXT NOT NULL,
  api_version TEXT NOT NULL, namespace TEXT, name TEXT NOT NULL, labels TEXT, rv INTEGER NOT NULL,
  PRIMARY KEY (cluster, bucket, key));
CREATE TABLE IF NOT EXISTS ledger (cluster TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

interface ObjectRow {
  bucket: string;
  key: string;
  json: string;
  api_version: string;
  namespace: string | null;
  name: string;
  labels: string | null;
  rv: number;
}

export class FleetState {
  readonly #db: DatabaseSync;
  readonly #upsert: StatementSync;
  readonly #remove: StatementSync;
  readonly #setRv: StatementSync;
  #depth = 0;

  private constructor(db: DatabaseSync) {
    this.#db = db;
    this.#upsert = db.prepare(
      'INSERT OR REPLACE INTO objects (cluster, bucket, key, json, api_version, namespace, name, labels, rv) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.#remove = db.prepare('DELETE FROM objects WHERE cluster = ? AND bucket = ? AND key = ?');
    this.#setRv = db.prepare(
      'INSERT INTO clusters (name, rv) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET rv = excluded.rv',
    );
  }

  static open(dir: string): FleetState {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, STATE_FILE);
    const db = new DatabaseSync(file, { timeout: 0 });
    try {
      // EXCLUSIVE: the first write takes the lock and keeps it, so a second simulator on the same
      // state dir fails at start instead of interleaving its writes with ours.
      db.exec('PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
      db.exec(`BEGIN IMMEDIATE; ${SCHEMA} COMMIT;`);
    } catch (error) {
      db.close();
      const busy = /locked|busy/i.test((error as Error).message);
      throw new ConfigError(
        busy
          ? `state dir ${dir} is in use by another simulator`
          : `cannot open the simulator state ${file}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return new FleetState(db);
  }

  /** Runs `work` in one transaction; nested calls join the outer one. */
  atomically<T>(work: () => T): T {
    if (this.#depth > 0) return work();
    this.#depth += 1;
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    } finally {
      this.#depth -= 1;
    }
  }

  persistence(cluster: string): StorePersistence {
    return {
      atomically: (work) => this.atomically(work),
      saved: (bucket, key, entry, rv) => {
        if (entry) this.#save(cluster, bucket, key, entry);
        else this.#remove.run(cluster, bucket, key);
        this.#setRv.run(cluster, rv);
      },
    };
  }

  #save(cluster: string, bucket: string, key: string, e: StoredEntry): void {
    const labels = e.labels ? JSON.stringify(e.labels) : null;
    this.#upsert.run(cluster, bucket, key, e.json, e.apiVersion, e.namespace ?? null, e.name, labels, e.rv);
  }

  /** What a previous run stored for `cluster`, or undefined when it never ran. */
  restored(cluster: string): { entries: PersistedEntry[]; rv: number } | undefined {
    const row = this.#db.prepare('SELECT rv FROM clusters WHERE name = ?').get(cluster) as
      | { rv: number }
      | undefined;
    if (!row) return undefined;
    const rows = this.#db
      .prepare(
        'SELECT bucket, key, json, api_version, namespace, name, labels, rv FROM objects WHERE cluster = ?',
      )
      .all(cluster) as unknown as ObjectRow[];
    const entries = rows.map((r) => ({
      storageKey: r.bucket,
      key: r.key,
      entry: {
        json: r.json,
        apiVersion: r.api_version,
        namespace: r.namespace ?? undefined,
        name: r.name,
        labels: r.labels ? (JSON.parse(r.labels) as Record<string, string>) : undefined,
        rv: r.rv,
      },
    }));
    return { entries, rv: row.rv };
  }

  ledger(cluster: string): SavedLedger | undefined {
    const row = this.#db.prepare('SELECT json FROM ledger WHERE cluster = ?').get(cluster) as
      | { json: string }
      | undefined;
    return row && (JSON.parse(row.json) as SavedLedger);
  }

  saveLedger(cluster: string, ledger: SavedLedger): void {
    this.atomically(() =>
      this.#db
        .prepare('INSERT OR REPLACE INTO ledger (cluster, json) VALUES (?, ?)')
        .run(cluster, JSON.stringify(ledger)),
    );
  }

  #setting(key: string): string | undefined {
    const row = this.#db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as
      | { value: string }
      | undefined;
    return row?.value;
  }

  #saveSetting(key: string, value: string): void {
    this.atomically(() =>
      this.#db.prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)').run(key, value),
    );
  }

  /** Bundles uploaded in earlier runs (the platform registry keeps what was pushed to it). */
  uploadedBundles(): Bundle[] {
    const rows = this.#db.prepare("SELECT value FROM settings WHERE key LIKE 'bundle:%'").all() as {
      value: string;
    }[];
    return rows.map((row) => JSON.parse(row.value) as Bundle);
  }

  saveUploadedBundle(bundle: Bundle): void {
    this.#saveSetting(`bundle:${bundle.csv}`, JSON.stringify(bundle));
  }

  certificateAuthority(): SimCertificateAuthority | undefined {
    const saved = this.#setting('ca');
    return saved ? (JSON.parse(saved) as SimCertificateAuthority) : undefined;
  }

  saveCertificateAuthority(ca: SimCertificateAuthority): void {
    this.#saveSetting('ca', JSON.stringify(ca));
  }

  platformPort(platform: string): number | undefined {
    const saved = this.#setting(`port:${platform}`);
    return saved === undefined ? undefined : Number(saved);
  }

  savePlatformPort(platform: string, port: number): void {
    this.#saveSetting(`port:${platform}`, String(port));
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
