/**
 * The upgrade job (docs/architecture.md §4). The job is written as zod schemas and its types are inferred
 * from them, so the stores parse what they read with the very shape the code is typed by.
 *
 * A job has one of three shapes, by state:
 * - unplanned (queued, validating): validate has not yet learned what the cluster runs;
 * - planned (checking-backup to verifying): it has (installed version, plan, instances) and the
 *   job works through the plan's hops;
 * - finished (the terminal states): it says when and why it ended and expects no message.
 * Active jobs (unplanned or planned) expect exactly one stage message. Jobs are built only by
 * the functions of job-transitions.ts, job-progress.ts and job-cancel.ts.
 */
import * as z from 'zod';
import { type JobOptions, jobOptionsSchema } from '#domain/job-options.ts';
import { HOP_KINDS, type Hop } from '#domain/planner.ts';
import { instanceRefSchema } from '#domain/redis-instance.ts';

export const UNPLANNED_STATES = ['queued', 'validating'] as const;
export const PLANNED_STATES = ['checking-backup', 'uploading', 'patching', 'verifying'] as const;
export const ACTIVE_STATES = [...UNPLANNED_STATES, ...PLANNED_STATES] as const;
export const TERMINAL_STATES = ['succeeded', 'failed', 'blocked', 'cancelled'] as const;
export const JOB_STATES = [...ACTIVE_STATES, ...TERMINAL_STATES] as const;

export type UnplannedState = (typeof UNPLANNED_STATES)[number];
export type PlannedState = (typeof PLANNED_STATES)[number];
export type ActiveState = (typeof ACTIVE_STATES)[number];
export type TerminalState = (typeof TERMINAL_STATES)[number];
export type JobState = (typeof JOB_STATES)[number];

/** One queue per stage; a stage handler consumes exactly one of these. */
export const STAGE_NAMES = [
  'validate',
  'check-backup',
  'upload-package',
  'patch-subscription',
  'verify',
] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export type { JobOptions };

const count = z.number().int().min(0);
const timestamp = z.iso.datetime();
const stageName = z.enum(STAGE_NAMES);
const jobState = z.enum(JOB_STATES);

const hopSchema = z.strictObject({
  from: z.string().min(1),
  to: z.string().min(1),
  kind: z.enum(HOP_KINDS),
  csv: z.string().min(1),
  channel: z.string().min(1),
  artifact: z.strictObject({
    url: z.string().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    size: count.optional(),
  }),
}) satisfies z.ZodType<Hop>;

const transitionSchema = z.strictObject({
  from: jobState,
  to: jobState,
  at: timestamp,
  reason: z.string().optional(),
  /** The hop after the transition. */
  hop: count,
});
export type Transition = z.infer<typeof transitionSchema>;

/**
 * A stage message as the job remembers it. `seq` is the job version at the commit that sent it;
 * `id` is unique per send (a redelivery of one send keeps it, a re-emission gets a new one).
 */
const messageRefSchema = z.strictObject({
  stage: stageName,
  hop: count,
  seq: count,
  id: z.string().min(1).optional(),
  /** On `expected`: when its message is due (sent with a delay for a wait; now otherwise). */
  due: timestamp.optional(),
});
export type MessageRef = z.infer<typeof messageRefSchema>;

/** Runs of one stage on one hop (every processed message is one attempt). */
const attemptSchema = z.strictObject({ stage: stageName, hop: count, count: z.number().int().positive() });
export type Attempt = z.infer<typeof attemptSchema>;

/** Progress inside the current state and hop; cleared by every transition. */
const stepProgressSchema = z.strictObject({
  /** What the stage is waiting for, in words (shown by status and logs). */
  waitingFor: z.string().optional(),
  /** A side effect (package push, backup creation) was claimed at this time (#usecases/claim.ts). */
  claimedAt: timestamp.optional(),
  /** Which claim: the holder renews and completes only its own, so a taken-over claim stays taken. */
  claimId: z.string().optional(),
  /** The claim is presumed alive until then; its holder renews it while the effect runs. */
  leaseUntil: timestamp.optional(),
  /** Transient failures (429, 5xx, timeouts, refused connections) in a row; each wait backs off. */
  retries: count.optional(),
  /** Polls in a row that found the same thing (the same `waitingFor`); each backs off further. */
  polls: count.optional(),
  /** The claimed side effect completed. */
  doneAt: timestamp.optional(),
  /** RedisBackups created by `takeBackup`, as namespace/name. */
  backups: z.array(z.string()).optional(),
  /** The InstallPlan this job approved (or is approving) for the hop, as namespace/name. */
  approvedPlan: z.string().optional(),
  /**
   * The Subscription channel this hop moves away from, recorded before the channel patch: a
   * patch that lands just before a crash is still known, and a cancel that commits first stops it.
   */
  channelMovedFrom: z.string().optional(),
  /**
   * When patch-subscription first found OLM resolving nothing for the hop although the catalog
   * offers it: OLM catches up within seconds, so a few polls later the hop fails with OLM's reason.
   */
  unresolvedSince: z.string().optional(),
});
export type StepProgress = z.infer<typeof stepProgressSchema>;

/** What every job has, whatever its state. */
const jobFields = {
  id: z.string().min(1),
  cluster: z.string().min(1),
  targetVersion: z.string().min(1),
  /** Index into plan of the hop being worked on (0 before there is a plan). */
  hop: count,
  /** Optimistic-concurrency version; every write is conditional on it. */
  version: z.number().int().positive(),
  options: jobOptionsSchema,
  callbackUrl: z.string().optional(),
  batchId: z.string().optional(),
  attempts: z.array(attemptSchema),
  transitions: z.array(transitionSchema),
  createdAt: timestamp,
  updatedAt: timestamp,
  /** The message whose processing made the latest stage commit: its redelivery re-emits `expected`. */
  causedBy: messageRefSchema.optional(),
  /**
   * The hop whose install can no longer be recalled (the approval on Manual subscriptions, the
   * push on Automatic ones). A cancel request during that hop takes effect after its verify.
   */
  noReturnHop: count.optional(),
  cancelRequested: z.boolean().optional(),
  cancelRequestedAt: timestamp.optional(),
  /**
   * Seconds the earlier jobs of its rollout spent in each stage (#domain/stage-durations.ts):
   * entering a stage they had to wait in, the job looks first then rather than at once.
   */
  expectedWaits: z.partialRecord(stageName, count).optional(),
};

/** Whole seconds by stage. */
export type StageSeconds = Partial<Record<StageName, number>>;

/** What validate learns from the cluster, never from the request. */
const clusterFacts = {
  fromVersion: z.string().min(1),
  platformVersion: z.string().min(1).optional(),
  plan: z.array(hopSchema),
  /**
   * The Redis instances validate found: verify requires every one of them to be there and
   * healthy again, so an instance lost in the upgrade is never passed over.
   */
  instances: z.array(instanceRefSchema),
};
const clusterFactsSchema = z.strictObject(clusterFacts);
export type ClusterFacts = z.infer<typeof clusterFactsSchema>;

/** What an active job waits for. */
const activeFields = {
  /** The one stage message the job waits for; processing it is the only way forward. */
  expected: messageRefSchema,
  /** When the current state was entered (stage deadlines run from it). */
  stageStartedAt: timestamp,
  step: stepProgressSchema.optional(),
};

const unplannedJobSchema = z.strictObject({
  ...jobFields,
  ...activeFields,
  state: z.enum(UNPLANNED_STATES),
});

const plannedJobSchema = z
  .strictObject({
    ...jobFields,
    ...activeFields,
    ...clusterFacts,
    state: z.enum(PLANNED_STATES),
    plan: clusterFacts.plan.min(1),
  })
  .refine((job) => job.hop < job.plan.length, {
    path: ['hop'],
    error: (issue) => `hop ${(issue.input as { hop: number }).hop} is beyond the plan`,
  });

const finishedJobSchema = z.strictObject({
  ...jobFields,
  // A job may end at any point of validate, knowing some of the facts or none.
  ...clusterFactsSchema.partial().shape,
  state: z.enum(TERMINAL_STATES),
  finishedAt: timestamp,
  /** Why the job ended (for blocked/failed/cancelled, naming the resources at fault). */
  reason: z.string().min(1),
  /**
   * Ended `blocked` in validate because the cluster's API could not be reached: the stage gave
   * up on transient errors (refused connections, timeouts, 5xx, 429). A rollout defers such a
   * cluster to the end of its batch and retries it.
   */
  unreachable: z.literal(true).optional(),
});

export const jobSchema = z.discriminatedUnion('state', [
  unplannedJobSchema,
  plannedJobSchema,
  finishedJobSchema,
]);

// Interfaces, so that type errors name the shape instead of spelling out its fields.
export interface UnplannedJob extends z.infer<typeof unplannedJobSchema> {}
export interface PlannedJob extends z.infer<typeof plannedJobSchema> {}
export interface FinishedJob extends z.infer<typeof finishedJobSchema> {}
export type ActiveJob = UnplannedJob | PlannedJob;
export type Job = ActiveJob | FinishedJob;

export function isActive(state: JobState): state is ActiveState {
  return (ACTIVE_STATES as readonly string[]).includes(state);
}

export function isTerminal(state: JobState): state is TerminalState {
  return (TERMINAL_STATES as readonly string[]).includes(state);
}

export function isActiveJob(job: Job): job is ActiveJob {
  return isActive(job.state);
}

export function isUnplannedJob(job: Job): job is UnplannedJob {
  return (UNPLANNED_STATES as readonly string[]).includes(job.state);
}

export function isPlannedJob(job: Job): job is PlannedJob {
  return (PLANNED_STATES as readonly string[]).includes(job.state);
}

/** The facts validate recorded on the job so far (none before validate has read the cluster). */
export function clusterFactsOf(job: Job): Partial<ClusterFacts> {
  if (isUnplannedJob(job)) return {};
  const { fromVersion, platformVersion, plan, instances } = job;
  return { fromVersion, platformVersion, plan, instances };
}
