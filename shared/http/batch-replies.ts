/**
 * The replies of `/batches` (docs/architecture.md §11): the batch view (#domain/rollout/batch-view.ts), the
 * list of batch summaries, the batch events and the rehearsal, as zod schemas in their output
 * form (no transforms, so the OpenAPI document shows what the server sends). Objects strip
 * unknown fields, so an older CLI still reads a newer server; the API tests check that nothing
 * the server sends is left out.
 */
import * as z from 'zod';
import { BATCH_STATES, CLUSTER_STATES } from '#domain/rollout/batch.ts';
import { APPROVAL_MODES, batchJobOptionsSchema } from '#domain/rollout/batch-request.ts';
import { batchWaveSchema, batchEventSchema as storedEventSchema } from '#domain/rollout/batch-schema.ts';
import { WAVE_VIEW_STATES } from '#domain/rollout/batch-view.ts';
import { SELECTOR_OPERATORS } from '#domain/rollout/label-selector.ts';
import { WEEKDAYS } from '#domain/rollout/maintenance-window-schema.ts';
import { jobStateSchema } from './schemas.ts';

const timestamp = z.iso.datetime();
const count = z.number().int().min(0);
const quantity = z
  .union([z.number().int().min(0), z.string().regex(/^\d+%$/)])
  .describe('A count, or a percentage such as "25%".');

export const batchStateSchema = z.enum(BATCH_STATES).meta({ id: 'BatchState' });
export const clusterRolloutStateSchema = z.enum(CLUSTER_STATES).meta({ id: 'ClusterRolloutState' });

const selectorSchema = z
  .object({
    matchLabels: z.record(z.string(), z.string()).optional(),
    matchExpressions: z
      .array(
        z.object({
          key: z.string(),
          operator: z.enum(SELECTOR_OPERATORS),
          values: z.array(z.string()).optional(),
        }),
      )
      .optional(),
  })
  .meta({ id: 'LabelSelector' });

export const strategyViewSchema = z
  .object({
    canary: quantity.optional(),
    waveSize: quantity.optional(),
    waves: z.array(selectorSchema).optional(),
    maxConcurrency: quantity.optional(),
    failureBudget: z.object({ maxFailed: quantity, countBlocked: z.boolean() }),
    bakeSeconds: count,
    approval: z.enum(APPROVAL_MODES),
    window: z
      .object({ days: z.array(z.enum(WEEKDAYS)), start: z.string(), end: z.string(), timeZone: z.string() })
      .optional(),
    unreachable: z.object({ mode: z.literal('defer'), retries: count, retryDelaySeconds: count }).optional(),
    skipBusy: z.boolean(),
  })
  .meta({ id: 'RolloutStrategy' });

const clusterInBatchSchema = z
  .object({
    name: z.string(),
    state: clusterRolloutStateSchema,
    attempt: count.describe('Jobs started for the cluster so far.'),
    jobId: z.string().optional(),
    jobState: jobStateSchema.optional(),
    hop: z.string().optional().describe('e.g. `hop 2/3: 4.0.3 -> 4.1.1`'),
    reason: z
      .string()
      .optional()
      .describe('Why the cluster is in its state (blocked, failed, deferred, re-check).'),
    startedAt: timestamp.optional(),
    finishedAt: timestamp.optional(),
    durationSeconds: count.optional(),
    retryAt: timestamp.optional(),
  })
  .meta({ id: 'BatchCluster' });

// The wave as stored, plus what the view derives; the stored fields are the domain's own schema.
const waveViewSchema = z
  .object({
    ...batchWaveSchema.shape,
    state: z.enum(WAVE_VIEW_STATES),
    eta: timestamp.optional(),
    clusters: z.array(clusterInBatchSchema),
  })
  .meta({ id: 'Wave' });

const batchFields = {
  id: z.string(),
  name: z.string().optional(),
  targetVersion: z.string(),
  strategy: strategyViewSchema,
  options: z.object(batchJobOptionsSchema.shape).optional(),
  callbackUrl: z.string().optional(),
  state: batchStateSchema,
  reason: z.string().describe('Why the batch is in its state, in words.'),
  version: count.describe('The optimistic-concurrency version; commands may name it as `ifVersion`.'),
  createdAt: timestamp,
  updatedAt: timestamp,
  startedAt: timestamp.optional(),
  finishedAt: timestamp.optional(),
  currentWave: count,
  pausedAt: timestamp.optional(),
  pausedBy: z.string().optional(),
  cancelledAt: timestamp.optional(),
  cancelledBy: z.string().optional(),
  halt: z.object({ at: timestamp, reason: z.string(), clusters: z.array(z.string()) }).optional(),
  acceptances: z.array(z.object({ at: timestamp, by: z.string().optional(), clusters: z.array(z.string()) })),
  counts: z.record(clusterRolloutStateSchema, count).describe('Clusters per state.'),
  failures: z.object({ counted: count, tolerated: count }).describe('Failures against the budget.'),
  eta: timestamp
    .optional()
    .describe('Predicted completion; absent while the batch waits on a person or is over.'),
  windowOpensAt: timestamp
    .optional()
    .describe('While the batch waits for its maintenance window (`outside-window`): when it next opens.'),
};

export const batchViewSchema = z
  .object({ ...batchFields, waves: z.array(waveViewSchema) })
  .meta({ id: 'Batch' });

export const batchSummarySchema = z.object({ ...batchFields, waveCount: count }).meta({ id: 'BatchSummary' });

export const batchListSchema = z.object({ items: z.array(batchSummarySchema) }).meta({ id: 'BatchList' });

export const batchEventSchema = z.object(storedEventSchema.shape).meta({ id: 'BatchEvent' });

export const batchEventListSchema = z
  .object({ items: z.array(batchEventSchema) })
  .meta({ id: 'BatchEventList' });

const rehearsedClusterSchema = z.object({
  name: z.string(),
  hops: z.array(z.object({ from: z.string(), to: z.string() })),
  blocked: z.string().optional().describe('Why the cluster would block (nothing would be changed on it).'),
  seconds: z.number().min(0).describe('Predicted job duration.'),
  measured: z.boolean().describe('Every hop’s duration was measured on earlier jobs (else the estimate).'),
  startsAt: timestamp,
  endsAt: timestamp,
  installedVersion: z.string().optional(),
  platformVersion: z.string().optional(),
  approval: z.enum(['Manual', 'Automatic']).optional(),
});

export const rehearsalSchema = z
  .object({
    dryRun: z.literal(true),
    targetVersion: z.string(),
    waves: z.array(
      z.object({
        index: count,
        label: z.string(),
        maxConcurrency: count,
        waitsForApproval: z.boolean(),
        startsAt: timestamp,
        jobsDoneAt: timestamp,
        completesAt: timestamp.describe('The wave’s ETA: jobs done and bake over.'),
        clusters: z.array(rehearsedClusterSchema),
      }),
    ),
    eta: timestamp,
    notes: z.array(z.string()).describe('What would stop the batch, and what the times assume.'),
  })
  .meta({ id: 'Rehearsal' });

export type BatchViewReply = z.infer<typeof batchViewSchema>;
export type BatchSummaryReply = z.infer<typeof batchSummarySchema>;
export type RehearsalReply = z.infer<typeof rehearsalSchema>;
