/**
 * The API's replies (docs/architecture.md §11), as zod schemas built from the domain's own lists (job
 * states, hop kinds, job options) and the request schemas. The server's replies are typed by
 * them, the API tests check every reply against them, the CLI parses every reply with them and
 * the OpenAPI document is generated from them: one contract, one source. Objects strip unknown
 * fields, so an older CLI still reads a newer server; the API tests check that nothing the
 * server sends is left out of the schema.
 */
import * as z from 'zod';
import { CLUSTER_HEALTH } from '#domain/cluster-health.ts';
import { clusterRecordSchema } from '#domain/cluster-schema.ts';
import { jobEventSchema as domainJobEventSchema } from '#domain/job-event.ts';
import { jobOptionsSchema } from '#domain/job-options.ts';
import { HOP_KINDS } from '#domain/planner.ts';
import { clusterNameSchema, jobIdSchema, jobStateSchema } from './schemas.ts';

const timestamp = z.iso.datetime();
const count = z.number().int().min(0);

export const healthSchema = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });

export const hopViewSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    kind: z.enum(HOP_KINDS),
    csv: z.string().describe('The ClusterServiceVersion the hop installs.'),
    channel: z.string().describe('The Subscription channel the hop moves to.'),
  })
  .meta({ id: 'Hop' });

export const transitionSchema = z
  .object({
    from: jobStateSchema,
    to: jobStateSchema,
    at: timestamp,
    reason: z.string().optional(),
    hop: count.optional(),
  })
  .meta({ id: 'Transition' });

export const jobViewSchema = z
  .object({
    id: jobIdSchema,
    cluster: clusterNameSchema,
    state: jobStateSchema,
    targetVersion: z.string(),
    fromVersion: z.string().optional().describe('Read from the cluster by validate, never from the request.'),
    platformVersion: z.string().optional(),
    hop: count.describe('Index into plan of the hop being worked on.'),
    currentHop: hopViewSchema.optional(),
    plan: z.array(hopViewSchema).optional(),
    waitingFor: z.string().optional().describe('What the current stage waits for, in words.'),
    reason: z.string().optional().describe('Why the job ended (blocked, failed, cancelled).'),
    unreachable: z
      .literal(true)
      .optional()
      .describe(
        "Blocked in validate because the cluster's API could not be reached (transient errors until the deadline).",
      ),
    cancelRequested: z.boolean().optional(),
    /** The options the job was created with: the domain's own schema, read leniently. */
    options: z.object(jobOptionsSchema.shape),
    callbackUrl: z.string().optional(),
    batchId: z.string().optional(),
    attempts: z.record(z.string(), count).describe('Attempts per `stage:hop`.'),
    transitions: z.array(transitionSchema),
    version: count.describe('The optimistic-concurrency version of the job.'),
    createdAt: timestamp,
    updatedAt: timestamp,
    finishedAt: timestamp.optional(),
  })
  .meta({ id: 'Job' });

export const jobListSchema = z.object({ items: z.array(jobViewSchema) }).meta({ id: 'JobList' });

export const jobEventSchema = domainJobEventSchema.meta({ id: 'JobEvent' });

export const jobEventListSchema = z.object({ items: z.array(jobEventSchema) }).meta({ id: 'JobEventList' });

export const planViewSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    platform: z.string().optional().describe('Present when the platform ranges were checked.'),
    hops: z.array(hopViewSchema),
  })
  .meta({ id: 'Plan' });

export const clusterViewSchema = z
  .object({
    ...clusterRecordSchema.shape,
    // Records registered before the version check may hold any string; the CLI must still show
    // them, so the operator can see and correct them, instead of refusing the whole reply.
    platformVersion: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe("The cluster's ACP version, as registered."),
  })
  .meta({ id: 'Cluster' });

export const clusterStatusSchema = z
  .object({
    health: z
      .enum(CLUSTER_HEALTH)
      .describe(
        '`upgrading`: OLM is moving to another CSV; `unhealthy`: the operator or an instance is not ready; `unreachable`: the read failed.',
      ),
    installedVersion: z.string().optional().describe("From the Subscription's installed CSV."),
    platformVersion: z.string().optional(),
    subscriptionState: z.string().optional(),
    instances: z.object({ total: count, ready: count }).describe('Redis instances of every kind.'),
    problems: z.array(z.string()).describe('What is wrong, each naming the resource; empty when healthy.'),
    readAt: timestamp,
    ageSeconds: count.describe('How old the reading is: readings are cached and re-read when stale.'),
  })
  .meta({ id: 'ClusterStatus' });

export const clusterListItemSchema = clusterViewSchema
  .extend({ status: clusterStatusSchema.optional().describe('With `include=status`.') })
  .meta({ id: 'ClusterListItem' });

export const clusterListSchema = z
  .object({ items: z.array(clusterListItemSchema) })
  .meta({ id: 'ClusterList' });

/** Every error reply: `{"error":{"code","message","details"?}}`. */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().min(1).describe('Stable, for scripts to match on.'),
      message: z.string().describe('What went wrong and what to do next.'),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ id: 'Error' });

/** `GET /openapi.json`: checked for its version and paths, the rest is the OpenAPI 3.1 schema's. */
export const openApiDocumentSchema = z.looseObject({
  openapi: z.string().regex(/^3\.1\.\d+$/),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.looseObject({})),
});

export type HopView = z.infer<typeof hopViewSchema>;
export type JobView = z.infer<typeof jobViewSchema>;
export type JobList = z.infer<typeof jobListSchema>;
export type PlanView = z.infer<typeof planViewSchema>;
export type ClusterView = z.infer<typeof clusterViewSchema>;
export type ClusterStatusView = z.infer<typeof clusterStatusSchema>;
export type ClusterListItem = z.infer<typeof clusterListItemSchema>;
export type JobEventView = z.infer<typeof jobEventSchema>;
export type OpenApiDocument = z.infer<typeof openApiDocumentSchema>;
export type ErrorBody = z.infer<typeof errorBodySchema>;
