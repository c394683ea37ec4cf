/**
 * Webhook endpoints and their signing secrets in the local database. The secrets have a table of
 * their own that nothing but the delivery consumer and the rotation read; the database file is
 * mode 600 (#adapters/local/sqlite-database.ts), like the API token beside it.
 */
import type { DatabaseSync } from 'node:sqlite';
import * as z from 'zod';
import {
  type EndpointStatus,
  endpointSchema,
  type SigningSecret,
  signingSecretSchema,
  type WebhookEndpoint,
} from '#domain/webhooks/endpoint.ts';
import type { WebhookEndpointStore, WebhookSecretStore } from '#shared/webhook-ports.ts';
import { statement } from './sqlite-database.ts';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS webhook_endpoints (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
  ) STRICT;
  CREATE TABLE IF NOT EXISTS webhook_secrets (
    endpoint_id TEXT PRIMARY KEY,
    secrets TEXT NOT NULL
  ) STRICT;
`;

const secretsSchema = z.array(signingSecretSchema);

export class SqliteWebhookEndpoints implements WebhookEndpointStore {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    db.exec(SCHEMA);
  }

  async create(endpoint: WebhookEndpoint): Promise<void> {
    statement(this.#db, 'INSERT INTO webhook_endpoints (id, created_at, data) VALUES (?, ?, ?)').run(
      endpoint.id,
      endpoint.createdAt,
      JSON.stringify(endpoint),
    );
  }

  async get(id: string): Promise<WebhookEndpoint | undefined> {
    const row = statement(this.#db, 'SELECT data FROM webhook_endpoints WHERE id = ?').get(id) as
      | { data: string }
      | undefined;
    return row && endpointSchema.parse(JSON.parse(row.data));
  }

  async list(): Promise<WebhookEndpoint[]> {
    const rows = statement(
      this.#db,
      'SELECT data FROM webhook_endpoints ORDER BY created_at, id',
    ).all() as unknown as { data: string }[];
    return rows.map((row) => endpointSchema.parse(JSON.parse(row.data)));
  }

  async delete(id: string): Promise<boolean> {
    const { changes } = statement(this.#db, 'DELETE FROM webhook_endpoints WHERE id = ?').run(id);
    return Number(changes) > 0;
  }

  async setStatus(id: string, status: EndpointStatus, reason?: string): Promise<void> {
    // One statement, so a concurrent delete is never undone.
    if (reason === undefined) {
      statement(
        this.#db,
        `UPDATE webhook_endpoints SET data = json_remove(json_set(data, '$.status', ?), '$.statusReason') WHERE id = ?`,
      ).run(status, id);
    } else {
      statement(
        this.#db,
        `UPDATE webhook_endpoints SET data = json_set(data, '$.status', ?, '$.statusReason', ?) WHERE id = ?`,
      ).run(status, reason, id);
    }
  }
}

export class SqliteWebhookSecrets implements WebhookSecretStore {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    db.exec(SCHEMA);
  }

  async put(endpointId: string, secrets: readonly SigningSecret[]): Promise<void> {
    statement(
      this.#db,
      `INSERT INTO webhook_secrets (endpoint_id, secrets) VALUES (?, ?)
         ON CONFLICT (endpoint_id) DO UPDATE SET secrets = excluded.secrets`,
    ).run(endpointId, JSON.stringify(secrets));
  }

  async get(endpointId: string): Promise<SigningSecret[]> {
    const row = statement(this.#db, 'SELECT secrets FROM webhook_secrets WHERE endpoint_id = ?').get(
      endpointId,
    ) as { secrets: string } | undefined;
    return row ? secretsSchema.parse(JSON.parse(row.secrets)) : [];
  }

  async delete(endpointId: string): Promise<void> {
    statement(this.#db, 'DELETE FROM webhook_secrets WHERE endpoint_id = ?').run(endpointId);
  }
}
