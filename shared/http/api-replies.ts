/**
 * The API's replies (DESIGN.md 4.5), as zod schemas built from the domain's own lists (job
 * states, hop kinds) and the request schemas. The server's job view and error bodies are typed
 * by them, the API tests check every reply against them, and the CLI parses every reply with
 * them: one contract, one source. Objects strip unknown fields, so an older CLI still reads a
 * newer server; the API tests check that nothing the server sends is left out of the schema.
 */
import { z } from 'zod';
import { ACTIVE_STATES, TERMINAL_STATES } from '#domain/job.ts';
import { HOP_KINDS } from '#domain/planner.ts';
import { clusterNameSchema, createUpgradeBody, jobIdSchema } from './schemas.ts';

const jobStateSchema = z.enum([...ACTIVE_STATES, ...TERMINAL_STATES]);
const timestamp = z.iso.datetime();
const count = z.number().int().min(0);

export const hopViewSchema = z.object({
  from: z.string(),
  to: z.string(),
  kind: z.enum(HOP_KINDS),
  csv: z.string(),
  channel: z.string(),
});

export const transitionSchema = z.object({
  from: jobStateSchema,
  to: jobStateSchema,
  at: timestamp,
  reason: z.string().optional(),
  hop: count.optional(),
});

export const jobViewSchema = z.object({
  id: jobIdSchema,
  cluster: clusterNameSchema,
  state: jobStateSchema,
  targetVersion: z.string(),
  fromVersion: z.string().optional(),
  platformVersion: z.string().optional(),
  hop: count,
  currentHop: hopViewSchema.optional(),
  plan: z.array(hopViewSchema).optional(),
  waitingFor: z.string().optional(),
  reason: z.string().optional(),
  cancelRequested: z.boolean().optional(),
  /** The options the job was created with: the request's own schema, read leniently. */
  options: z.object(createUpgradeBody.shape.options.unwrap().shape),
  callbackUrl: z.string().optional(),
  batchId: z.string().optional(),
  /** Attempts per `stage:hop`. */
  attempts: z.record(z.string(), count),
  transitions: z.array(transitionSchema),
  /** The optimistic-concurrency version of the job. */
  version: count,
  createdAt: timestamp,
  updatedAt: timestamp,
  finishedAt: timestamp.optional(),
});

export const jobListSchema = z.object({ items: z.array(jobViewSchema) });

/** Every error reply: `{"error":{"code","message","details"?}}`. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string().min(1),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

export type HopView = z.infer<typeof hopViewSchema>;
export type JobView = z.infer<typeof jobViewSchema>;
export type JobList = z.infer<typeof jobListSchema>;
export type ErrorBody = z.infer<typeof errorBodySchema>;
