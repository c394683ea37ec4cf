/** Request schemas of the HTTP API (DESIGN.md 4.5). Unknown fields and parameters are refused. */
import { z } from 'zod';
import { ACTIVE_STATES, TERMINAL_STATES } from '#domain/job.ts';
import { clusterFieldsSchema, clusterNameSchema } from '#shared/cluster-schema.ts';

export { clusterNameSchema };

export const jobIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'is not a job id');

/** Printable ASCII without spaces, like the IETF Idempotency-Key draft's examples. */
export const idempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, 'must be 1-255 printable ASCII characters without spaces');

const version = z.string().min(1).max(64);
const flag = z.enum(['true', 'false']).transform((value) => value === 'true');

export const createUpgradeBody = z.strictObject({
  cluster: clusterNameSchema,
  targetVersion: version,
  callbackUrl: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .optional(),
  options: z
    .strictObject({
      takeBackup: z.boolean().optional(),
      skipBackupCheck: z.boolean().optional(),
      maxBackupAgeSeconds: z.number().int().positive().optional(),
      includePrerelease: z.boolean().optional(),
    })
    .optional(),
});

export const cancelUpgradeBody = z.strictObject({ note: z.string().max(500).optional() });

export const listUpgradesQuery = z.strictObject({
  cluster: clusterNameSchema.optional(),
  state: z.enum([...ACTIVE_STATES, ...TERMINAL_STATES]).optional(),
  batch: z.string().min(1).max(128).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

export const planQuery = z.strictObject({
  from: version,
  to: version,
  platform: version.optional(),
  includePrerelease: flag.optional(),
});

export const putClusterBody = clusterFieldsSchema;
