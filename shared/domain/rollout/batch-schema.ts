/**
 * The batch as stores keep it, written as zod schemas, so a store parses what it reads with the
 * shape the code is typed by (a damaged record is refused naming the batch and the field, never
 * cast). The strategy is read back through the request's own schema: its transforms are
 * idempotent, so a stored strategy parses to itself.
 */
import * as z from 'zod';
import { JOB_STATES, STAGE_NAMES } from '#domain/job.ts';
import { WAIT_SAMPLES } from '#domain/stage-durations.ts';
import type { Batch } from './batch.ts';
import { BATCH_STATES, CLUSTER_STATES } from './batch.ts';
import { BATCH_EVENT_TYPES, type BatchEvent } from './batch-events.ts';
import { batchJobOptionsSchema, strategySchema } from './batch-request.ts';
import { WAVE_KINDS } from './wave-plan.ts';

const timestamp = z.iso.datetime();
const count = z.number().int().min(0);
const names = z.array(z.string().min(1));

export const hopProgressSchema = z.strictObject({
  index: count,
  count,
  from: z.string().optional(),
  to: z.string().optional(),
});

export const batchClusterSchema = z.strictObject({
  name: z.string().min(1),
  wave: count,
  state: z.enum(CLUSTER_STATES),
  attempt: count,
  jobId: z.string().optional(),
  pastJobIds: names.optional(),
  jobState: z.enum(JOB_STATES).optional(),
  hop: hopProgressSchema.optional(),
  reason: z.string().optional(),
  startedAt: timestamp.optional(),
  finishedAt: timestamp.optional(),
  retryAt: timestamp.optional(),
  cancelRequested: z.boolean().optional(),
  recheckedAt: timestamp.optional(),
  estimateSeconds: z.number().min(0).optional(),
});

export const batchWaveSchema = z.strictObject({
  index: count,
  kind: z.enum(WAVE_KINDS),
  label: z.string(),
  maxConcurrency: z.number().int().min(1),
  needsApproval: z.boolean(),
  approvedAt: timestamp.optional(),
  approvedBy: z.string().optional(),
  startedAt: timestamp.optional(),
  jobsDoneAt: timestamp.optional(),
  bakeUntil: timestamp.optional(),
  completedAt: timestamp.optional(),
});

export const haltSchema = z.strictObject({ at: timestamp, reason: z.string(), clusters: names });

export const acceptanceSchema = z.strictObject({
  at: timestamp,
  by: z.string().optional(),
  clusters: names,
  attempts: z.record(z.string(), count).optional(),
});

export const batchSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().optional(),
  targetVersion: z.string().min(1),
  strategy: strategySchema,
  options: batchJobOptionsSchema.optional(),
  callbackUrl: z.string().optional(),
  state: z.enum(BATCH_STATES),
  reason: z.string(),
  version: count,
  createdAt: timestamp,
  updatedAt: timestamp,
  startedAt: timestamp.optional(),
  finishedAt: timestamp.optional(),
  waves: z.array(batchWaveSchema),
  clusters: z.array(batchClusterSchema),
  currentWave: count,
  pausedAt: timestamp.optional(),
  pausedBy: z.string().optional(),
  cancelledAt: timestamp.optional(),
  cancelledBy: z.string().optional(),
  halt: haltSchema.optional(),
  acceptances: z.array(acceptanceSchema),
  eventSeq: count,
  timer: z.strictObject({ seq: count, at: timestamp }).optional(),
  waitSamples: z.partialRecord(z.enum(STAGE_NAMES), z.array(count).max(WAIT_SAMPLES)).optional(),
}) satisfies z.ZodType<Batch>;

export const batchEventSchema = z.strictObject({
  id: z.string().min(1),
  batchId: z.string().min(1),
  seq: z.number().int().min(1),
  type: z.enum(BATCH_EVENT_TYPES),
  at: timestamp,
  reason: z.string(),
  wave: count.optional(),
  clusters: names.optional(),
  by: z.string().optional(),
}) satisfies z.ZodType<BatchEvent>;
