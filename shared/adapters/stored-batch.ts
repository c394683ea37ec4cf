/**
 * Batches and their events as the BatchStores keep them (SQLite and DynamoDB alike): the batch
 * and the version of its shape. What a store reads is parsed with #domain/rollout/batch-schema.ts,
 * never cast: a record without its shape is refused with an error naming the batch and the
 * fields at fault. A change to the batch's shape bumps BATCH_SCHEMA_VERSION and adds a migration.
 */
import * as z from 'zod';
import { UnreadableRecordError } from '#domain/errors.ts';
import type { Batch } from '#domain/rollout/batch.ts';
import type { BatchEvent } from '#domain/rollout/batch-events.ts';
import { batchEventSchema, batchSchema } from '#domain/rollout/batch-schema.ts';

export const BATCH_SCHEMA_VERSION = 1;

export type StoredBatch = Batch & { schemaVersion: typeof BATCH_SCHEMA_VERSION };

export function storedBatch(batch: Batch): StoredBatch {
  return { schemaVersion: BATCH_SCHEMA_VERSION, ...batch };
}

const current = z
  .looseObject({ schemaVersion: z.literal(BATCH_SCHEMA_VERSION) })
  .transform(({ schemaVersion: _, ...batch }) => batch)
  .pipe(batchSchema);

function unreadable(
  what: string,
  error: z.ZodError,
  details: Record<string, unknown>,
): UnreadableRecordError {
  const issues = error.issues.map((issue) => `${issue.path.join('.') || '(record)'}: ${issue.message}`);
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  return new UnreadableRecordError(`${what} is unreadable: ${issues.slice(0, 3).join('; ')}${more}`, {
    details: { ...details, issues },
  });
}

/** The batch in a record a store read under key `id`. */
export function readStoredBatch(record: unknown, id: string): Batch {
  const parsed = current.safeParse(record);
  if (!parsed.success) throw unreadable(`stored batch ${id}`, parsed.error, { batchId: id });
  if (parsed.data.id !== id) {
    throw new UnreadableRecordError(`stored batch ${id} holds batch ${parsed.data.id}`, {
      details: { batchId: id },
    });
  }
  return parsed.data;
}

export function readStoredBatchEvent(record: unknown, id: string): BatchEvent {
  const parsed = batchEventSchema.safeParse(record);
  if (!parsed.success) throw unreadable(`stored batch event ${id}`, parsed.error, { eventId: id });
  return parsed.data;
}
