/**
 * The request that starts a fleet rollout (`POST /batches`, `redis-upgrader rollout`): which
 * clusters, to which version, and the strategy that paces it. The zod schemas are the contract:
 * the server validates with them, the CLI types its requests by them. Unknown fields are refused
 * (a misspelt `failureBudget` must not silently mean "no budget"); every message names its field.
 */
import semver from 'semver';
import * as z from 'zod';
import { clusterNameSchema } from '#domain/cluster-schema.ts';
import { labelSelectorSchema } from './label-selector.ts';
import { maintenanceWindowSchema } from './maintenance-window-schema.ts';
import { quantitySchema } from './quantity.ts';

export const APPROVAL_MODES = ['none', 'after-canary', 'each-wave'] as const;
export type ApprovalMode = (typeof APPROVAL_MODES)[number];

/** Clusters labelled so go first into the canary wave. */
export const CANARY_LABEL = 'redis-upgrader/canary';

const WEEK_SECONDS = 7 * 24 * 3600;

const seconds = (max: number, what: string) =>
  z
    .number({ error: `must be a number of seconds (${what})` })
    .int({ error: `must be a whole number of seconds (${what})` })
    .min(0, { error: 'must not be negative' })
    .max(max, { error: `must be at most ${max} seconds` });

export const failureBudgetSchema = z.strictObject({
  /** Failures tolerated: the batch halts at the first failure beyond them. */
  maxFailed: quantitySchema(0).default(0),
  /** Whether a `blocked` cluster (a gate said no; nothing was changed) counts as a failure. */
  countBlocked: z.boolean().default(false),
});

export const unreachablePolicySchema = z.strictObject({
  mode: z.literal('defer', { error: 'must be "defer"' }),
  /** Retries after the first attempt; then the cluster ends `blocked`. */
  retries: z.number().int().min(0).max(20).default(3),
  /** How long a deferred cluster waits before a retry. */
  retryDelaySeconds: seconds(24 * 3600, 'before a deferred cluster is retried').default(300),
});

export const strategySchema = z
  .strictObject({
    canary: quantitySchema(1).optional(),
    waveSize: quantitySchema(1).optional(),
    waves: z.array(labelSelectorSchema).min(1, { error: 'must list at least one selector' }).optional(),
    maxConcurrency: quantitySchema(1).optional(),
    failureBudget: failureBudgetSchema.default({ maxFailed: 0, countBlocked: false }),
    bakeSeconds: seconds(WEEK_SECONDS, 'to wait after each wave').default(0),
    approval: z
      .enum(APPROVAL_MODES, {
        error: (issue) =>
          `${JSON.stringify(issue.input)} is not an approval mode (use ${APPROVAL_MODES.join(', ')})`,
      })
      .default('none'),
    window: maintenanceWindowSchema.optional(),
    unreachable: unreachablePolicySchema.optional(),
    skipBusy: z.boolean().default(false),
  })
  .superRefine((strategy, ctx) => {
    if (strategy.waveSize !== undefined && strategy.waves !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['waves'],
        message: 'give either waveSize or waves (a list of selectors), not both',
      });
    }
    if (strategy.approval === 'after-canary' && strategy.canary === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['approval'],
        message: '"after-canary" needs a canary: set strategy.canary',
      });
    }
  });

export type Strategy = z.output<typeof strategySchema>;

/** What one upgrade of the batch may ask beyond its target (as POST /upgrades takes them). */
export const batchJobOptionsSchema = z.strictObject({
  takeBackup: z.boolean().optional(),
  skipBackupCheck: z.boolean().optional(),
  maxBackupAgeSeconds: z.number().int().positive().optional(),
  includePrerelease: z.boolean().optional(),
});

export const batchRequestSchema = z
  .strictObject({
    targetVersion: z
      .string()
      .refine((text) => semver.valid(text) !== null, {
        error: (issue) => `${JSON.stringify(issue.input)} is not a semantic version (e.g. 4.1.1)`,
      })
      .transform((text) => semver.valid(text) ?? text),
    clusters: z
      .array(clusterNameSchema)
      .min(1, { error: 'must name at least one cluster' })
      .max(10_000, { error: 'names more than 10000 clusters: split the fleet or use a selector' })
      .optional(),
    selector: labelSelectorSchema.optional(),
    strategy: strategySchema,
    options: batchJobOptionsSchema.optional(),
    callbackUrl: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .max(2048)
      .optional(),
    name: z.string().trim().min(1).max(100).optional(),
    dryRun: z.boolean().default(false),
  })
  .superRefine((request, ctx) => {
    if ((request.clusters === undefined) === (request.selector === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [request.clusters === undefined ? 'clusters' : 'selector'],
        message:
          'give exactly one of clusters (a list of names) and selector (matchLabels, matchExpressions)',
      });
    }
    const seen = new Set<string>();
    const repeated = new Set((request.clusters ?? []).filter((name) => seen.has(name) || !seen.add(name)));
    if (repeated.size > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['clusters'],
        message: `names ${[...repeated].join(', ')} more than once`,
      });
    }
  });

/** A request as the server holds it once validated (defaults filled in). */
export type BatchRequest = z.output<typeof batchRequestSchema>;
/** A request as a client writes it. */
export type BatchRequestInput = z.input<typeof batchRequestSchema>;
