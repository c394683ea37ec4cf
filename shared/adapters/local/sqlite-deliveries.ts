/**
 * Webhook deliveries in the local database: the delivery whole as JSON beside the columns its
 * reads need; every update is conditional on the version the writer read.
 */
import type { DatabaseSync } from 'node:sqlite';
import { ConflictError } from '#domain/errors.ts';
import { type Delivery, deliverySchema } from '#domain/webhooks/delivery.ts';
import type { DeliveryStore } from '#shared/webhook-ports.ts';
import { statement } from './sqlite-database.ts';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id TEXT PRIMARY KEY,
    endpoint_id TEXT,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL,
    data TEXT NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, created_at)
    WHERE endpoint_id IS NOT NULL;
`;

const parse = (row: { data: string }) => deliverySchema.parse(JSON.parse(row.data));

export class SqliteDeliveryStore implements DeliveryStore {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    db.exec(SCHEMA);
  }

  async createIfAbsent(delivery: Delivery): Promise<boolean> {
    const { changes } = statement(
      this.#db,
      `INSERT OR IGNORE INTO webhook_deliveries (id, endpoint_id, created_at, version, data)
         VALUES (?, ?, ?, ?, ?)`,
    ).run(
      delivery.id,
      delivery.endpointId ?? null,
      delivery.createdAt,
      delivery.version,
      JSON.stringify(delivery),
    );
    return Number(changes) > 0;
  }

  async get(id: string): Promise<Delivery | undefined> {
    const row = statement(this.#db, 'SELECT data FROM webhook_deliveries WHERE id = ?').get(id) as
      | { data: string }
      | undefined;
    return row && parse(row);
  }

  async update(delivery: Delivery, expectedVersion: number): Promise<void> {
    const { changes } = statement(
      this.#db,
      'UPDATE webhook_deliveries SET version = ?, data = ? WHERE id = ? AND version = ?',
    ).run(delivery.version, JSON.stringify(delivery), delivery.id, expectedVersion);
    if (Number(changes) === 0) {
      throw new ConflictError(`delivery ${delivery.id} changed since version ${expectedVersion}`);
    }
  }

  async forEndpoint(endpointId: string, limit: number): Promise<Delivery[]> {
    const rows = statement(
      this.#db,
      'SELECT data FROM webhook_deliveries WHERE endpoint_id = ? ORDER BY created_at DESC, id LIMIT ?',
    ).all(endpointId, limit) as unknown as { data: string }[];
    return rows.map(parse);
  }
}
