import { readStoredBatch, readStoredBatchEvent, storedBatch } from '#adapters/stored-batch.ts';
import { ConflictError } from '#domain/errors.ts';
import type { Batch } from '#domain/rollout/batch.ts';
import type { BatchEvent } from '#domain/rollout/batch-events.ts';
import type { BatchCreateOutcome, BatchFilter, BatchStore, IdempotencyRecord } from '#shared/ports.ts';

/**
 * BatchStore with the contract's rules: live idempotency keys return their batch and
 * fingerprint, expired ones are as if never used, updates are conditional on the version and
 * commit their events with them, an event id is recorded once. Batches are stored and read back
 * in their stored shape (#adapters/stored-batch.ts), like a real store.
 */
export class InMemoryBatchStore implements BatchStore {
  private readonly records = new Map<string, unknown>();
  private readonly keys = new Map<string, IdempotencyRecord & { batchId: string }>();
  private readonly eventRecords = new Map<string, unknown>();
  private readonly published = new Map<string, number>();
  /** Every committed update, in order. */
  readonly updates: Batch[] = [];
  /** Called before each update is applied; throw from it to simulate a failing store or a race. */
  beforeUpdate: ((batch: Batch, expectedVersion: number) => void | Promise<void>) | undefined;

  async create(batch: Batch, idempotency?: IdempotencyRecord): Promise<BatchCreateOutcome> {
    const record = idempotency && this.keys.get(idempotency.key);
    const existing = record && record.expiresAt > batch.createdAt ? this.read(record.batchId) : undefined;
    if (record && existing) return { created: false, batch: existing, fingerprint: record.fingerprint };
    if (this.records.has(batch.id)) throw new ConflictError(`batch ${batch.id} already exists`);
    const created = this.write(batch);
    if (idempotency) this.keys.set(idempotency.key, { ...idempotency, batchId: batch.id });
    return { created: true, batch: created };
  }

  async findByIdempotencyKey(
    key: string,
    at: string,
  ): Promise<{ batch: Batch; fingerprint: string } | undefined> {
    const record = this.keys.get(key);
    const batch = record && record.expiresAt > at ? this.read(record.batchId) : undefined;
    return record && batch && { batch, fingerprint: record.fingerprint };
  }

  async get(id: string): Promise<Batch | undefined> {
    return this.read(id);
  }

  async list(filter: BatchFilter): Promise<Batch[]> {
    const matching = [...this.records.keys()]
      .map((id) => this.read(id) as Batch)
      .filter((batch) => filter.state === undefined || batch.state === filter.state)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
    return matching.slice(0, filter.limit ?? 100);
  }

  async update(batch: Batch, expectedVersion: number, events: readonly BatchEvent[] = []): Promise<void> {
    await this.beforeUpdate?.(batch, expectedVersion);
    const current = this.read(batch.id);
    if (current?.version !== expectedVersion) {
      throw new ConflictError(`batch ${batch.id} is at version ${current?.version}, not ${expectedVersion}`, {
        code: 'STALE_VERSION',
      });
    }
    if (batch.version <= expectedVersion)
      throw new Error(`update of batch ${batch.id} must raise its version`);
    this.updates.push(this.write(batch));
    for (const event of events) {
      if (!this.eventRecords.has(event.id)) this.eventRecords.set(event.id, structuredClone(event));
    }
  }

  async events(batchId: string): Promise<BatchEvent[]> {
    return [...this.eventRecords.entries()]
      .map(([id, record]) => readStoredBatchEvent(structuredClone(record), id))
      .filter((event) => event.batchId === batchId)
      .sort((a, b) => a.seq - b.seq);
  }

  async publishedThrough(batchId: string): Promise<number> {
    return this.published.get(batchId) ?? 0;
  }

  async markPublished(batchId: string, seq: number): Promise<void> {
    this.published.set(batchId, Math.max(seq, this.published.get(batchId) ?? 0));
  }

  /** Writes a batch as is (test set-up). */
  seed(batch: Batch): void {
    this.write(batch);
  }

  private write(batch: Batch): Batch {
    const record = structuredClone(storedBatch(batch));
    this.records.set(batch.id, record);
    return readStoredBatch(structuredClone(record), batch.id);
  }

  private read(id: string): Batch | undefined {
    return this.records.has(id) ? readStoredBatch(structuredClone(this.records.get(id)), id) : undefined;
  }
}
