/**
 * What a caller may ask of one upgrade beyond its target. The zod schema is the source: the
 * domain's JobOptions type, the API's request body and its OpenAPI document all derive from it.
 * Unknown options are refused, so a misspelt override never passes for an absent one.
 */
import * as z from 'zod';

export const jobOptionsSchema = z.strictObject({
  takeBackup: z
    .boolean()
    .optional()
    .describe('Create a RedisBackup for instances whose backups are stale, and wait for it.'),
  skipBackupCheck: z
    .boolean()
    .optional()
    .describe('Explicit override of the backup gate; recorded in the job and logged.'),
  maxBackupAgeSeconds: z
    .number()
    .int()
    .positive()
    .optional()
    .describe("Maximum backup age in seconds (absent: the deployment's setting)."),
  includePrerelease: z.boolean().optional().describe('Allow a pre-release target version.'),
});

export type JobOptions = z.infer<typeof jobOptionsSchema>;
