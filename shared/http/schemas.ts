/**
 * Request schemas of the HTTP API (docs/architecture.md §11): bodies, query strings, path parameters and
 * headers. Unknown fields and parameters are refused. The server validates with these, the CLI
 * types its requests by them and the OpenAPI document is generated from them (api-contract.ts).
 */
import * as z from 'zod';
import { clusterFieldsSchema, clusterNameSchema } from '#domain/cluster-schema.ts';
import { ACTIVE_STATES, TERMINAL_STATES } from '#domain/job.ts';
import { jobOptionsSchema } from '#domain/job-options.ts';
import { BATCH_STATES } from '#domain/rollout/batch.ts';
import { batchRequestSchema } from '#domain/rollout/batch-request.ts';
import { batchCommandBodies } from '#domain/rollout/rollout-commands.ts';

export { clusterNameSchema };

export const jobStateSchema = z.enum([...ACTIVE_STATES, ...TERMINAL_STATES]).meta({ id: 'JobState' });

export const jobIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'is not a job id')
  .describe('The job id `POST /upgrades` answered with.');

export const IDEMPOTENCY_KEY = 'Idempotency-Key';

/** Printable ASCII without spaces, like the IETF Idempotency-Key draft's examples. */
export const idempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, 'must be 1-255 printable ASCII characters without spaces')
  .describe(
    'Retrying with the same key and request answers the first job; another request with the key is 422.',
  );

const version = z.string().min(1).max(64);
const flag = z.enum(['true', 'false']).transform((value) => value === 'true');

export const createUpgradeBody = z
  .strictObject({
    cluster: clusterNameSchema,
    targetVersion: version.describe('A version the catalog lists; a leading `v` is accepted.'),
    callbackUrl: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .optional()
      .describe('Receives a signed notification on every state change; public http(s) hosts only.'),
    options: jobOptionsSchema.optional(),
  })
  .meta({ id: 'CreateUpgradeRequest' });

export const createUpgradeHeaders = z.object({ [IDEMPOTENCY_KEY]: idempotencyKeySchema.optional() });

export const cancelUpgradeBody = z
  .strictObject({ note: z.string().max(500).optional().describe("Why, quoted in the job's reason.") })
  .meta({ id: 'CancelUpgradeRequest' });

export const jobPathParameters = z.object({ id: jobIdSchema });

export const listUpgradesQuery = z.strictObject({
  cluster: clusterNameSchema.optional(),
  state: jobStateSchema.optional(),
  batch: z.string().min(1).max(128).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

export const planQuery = z.strictObject({
  from: version.describe('The installed version; need not be in the catalog.'),
  to: version.describe('The target version; must be in the catalog.'),
  platform: version
    .optional()
    .describe("The cluster's ACP version; without it no platform range is checked."),
  includePrerelease: flag.optional(),
});

export const clusterPathParameters = z.object({ name: clusterNameSchema });

export const listClustersQuery = z.strictObject({
  selector: z
    .string()
    .max(4096)
    .optional()
    .describe(
      'A Kubernetes label selector (`env=prod,tier in (a,b),!legacy`): only the clusters it matches.',
    ),
  include: z
    .enum(['status'])
    .optional()
    .describe(
      "`status`: each cluster's installed operator version and health, read from the cluster (cached; see status.ageSeconds).",
    ),
});

export const putClusterBody = clusterFieldsSchema.meta({ id: 'ClusterFields' });

export const batchIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'is not a batch id')
  .describe('The batch id `POST /batches` answered with.');

export const batchPathParameters = z.object({ id: batchIdSchema });

export const createBatchBody = batchRequestSchema.meta({ id: 'CreateBatchRequest' });

export const listBatchesQuery = z.strictObject({
  state: z.enum(BATCH_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

export const pauseBatchBody = batchCommandBodies.pause.meta({ id: 'PauseBatchRequest' });
export const resumeBatchBody = batchCommandBodies.resume.meta({ id: 'ResumeBatchRequest' });
export const cancelBatchBody = batchCommandBodies.cancel.meta({ id: 'CancelBatchRequest' });
export const approveBatchBody = batchCommandBodies.approve.meta({ id: 'ApproveBatchRequest' });
