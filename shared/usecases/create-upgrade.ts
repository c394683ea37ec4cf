/**
 * Starting an upgrade (POST /upgrades): checks what the request can be checked for without the
 * cluster, creates the job `queued` (the store enforces one active job per cluster and the
 * idempotency key), sends the `validate` message, emits `upgrade.queued`.
 *
 * An Idempotency-Key stands for one request (its fingerprint, #domain/upgrade-request.ts) for
 * `idempotencyTtlSeconds`: a retry of that request replays its job, any other request with the
 * key is refused (IDEMPOTENCY_KEY_REUSED), and once the key expires it is as if never used.
 *
 * The installed version is deliberately not an input: validate reads it from the cluster.
 */
import { randomUUID } from 'node:crypto';
import semver from 'semver';
import type { Catalog } from '#domain/catalog.ts';
import { ConflictError, errorMessage, NotFoundError, ValidationError } from '#domain/errors.ts';
import type { Job, JobOptions, StageSeconds } from '#domain/job.ts';
import { createdEvent } from '#domain/job-event.ts';
import { newJob, transition } from '#domain/job-transitions.ts';
import { checkCallbackUrl, NO_OUTBOUND_ALLOW, type OutboundAllowList } from '#domain/outbound-address.ts';
import {
  DEFAULT_IDEMPOTENCY_TTL_SECONDS,
  differingFields,
  upgradeRequestFingerprint,
} from '#domain/upgrade-request.ts';
import { historyExpectation } from '#domain/wait-history.ts';
import type {
  Clock,
  ClusterRegistry,
  CreateOutcome,
  IdempotencyRecord,
  JobStore,
  Log,
  Notifier,
  Queue,
  StageMessage,
  StageQueues,
  WaitHistory,
} from '#shared/ports.ts';
import { emitTransitions } from '#usecases/job-events.ts';

export interface CreateUpgradeDeps {
  jobs: JobStore;
  queue: Queue<StageQueues>;
  clusters: Pick<ClusterRegistry, 'get'>;
  catalog: Catalog;
  clock: Clock;
  notifier: Notifier;
  log?: Log;
  /** Callback hosts and networks admitted although not public (default: none). */
  outboundAllow?: OutboundAllowList;
  /** Refuse plain-http callback URLs (AWS's default). */
  requireHttps?: boolean;
  /** How long an Idempotency-Key stands for its request (default 24 h). */
  idempotencyTtlSeconds?: number;
  /** Job id generator (default: random UUID). */
  newId?: () => string;
  /** What earlier upgrades took per stage, for a job its rollout has nothing to tell. */
  waitHistory?: Pick<WaitHistory, 'recent'>;
}

export interface CreateUpgradeInput {
  cluster: string;
  targetVersion: string;
  options?: JobOptions;
  callbackUrl?: string;
  batchId?: string;
  idempotencyKey?: string;
  /**
   * What earlier jobs of the rollout took per stage (the wait history's time fills the others);
   * not part of the request's identity.
   */
  expectedWaits?: StageSeconds;
}

export interface CreateUpgradeResult {
  job: Job;
  /** False when the idempotency key returned an existing job. */
  created: boolean;
}

function checkOptions(options: JobOptions): void {
  const age = options.maxBackupAgeSeconds;
  if (age !== undefined && !(Number.isInteger(age) && age > 0)) {
    throw new ValidationError(
      `options.maxBackupAgeSeconds must be a positive whole number of seconds, got ${age}`,
    );
  }
  if (options.takeBackup && options.skipBackupCheck) {
    throw new ValidationError(
      'options.takeBackup and options.skipBackupCheck contradict each other: choose one',
    );
  }
}

interface CheckedInput {
  targetVersion: string;
  callbackUrl?: string;
}

function checkInput(input: CreateUpgradeInput, deps: CreateUpgradeDeps): CheckedInput {
  const { catalog } = deps;
  if (input.cluster.trim() === '') throw new ValidationError('cluster must not be empty');
  const target = semver.valid(input.targetVersion);
  if (!target) {
    throw new ValidationError(
      `targetVersion ${JSON.stringify(input.targetVersion)} is not a semantic version (e.g. 4.1.1)`,
      {
        code: 'INVALID_VERSION',
      },
    );
  }
  if (!catalog.versions.some((entry) => semver.eq(entry.version, target))) {
    const known = catalog.versions.map((entry) => entry.version).join(', ');
    throw new ValidationError(`targetVersion ${target} is not in the catalog (known: ${known})`, {
      code: 'UNKNOWN_VERSION',
    });
  }
  checkOptions(input.options ?? {});
  if (input.callbackUrl === undefined) return { targetVersion: target };
  return {
    targetVersion: target,
    callbackUrl: checkCallbackUrl(input.callbackUrl, {
      allow: deps.outboundAllow ?? NO_OUTBOUND_ALLOW,
      requireHttps: deps.requireHttps,
    }),
  };
}

function idempotencyRecord(deps: CreateUpgradeDeps, key: string, job: Job): IdempotencyRecord {
  const ttlSeconds = deps.idempotencyTtlSeconds ?? DEFAULT_IDEMPOTENCY_TTL_SECONDS;
  const expiresAt = new Date(Date.parse(job.createdAt) + ttlSeconds * 1000).toISOString();
  return { key, fingerprint: upgradeRequestFingerprint(job), expiresAt };
}

/** A replay must be of the same request; 422 otherwise, as the IETF Idempotency-Key draft says. */
function checkReplay(
  outcome: Extract<CreateOutcome, { created: false }>,
  record: IdempotencyRecord,
  job: Job,
): void {
  // Records from before fingerprints were kept: the job holds its request in normalized form.
  const recorded = outcome.fingerprint ?? upgradeRequestFingerprint(outcome.job);
  if (recorded === record.fingerprint) return;
  const differs = differingFields(job, outcome.job);
  const what = differs.length > 0 ? ` (different ${differs.join(', ')})` : '';
  throw new ConflictError(
    `this Idempotency-Key was used for a different upgrade request${what}, which created job ${outcome.job.id}; send a new key for a new request`,
    { code: 'IDEMPOTENCY_KEY_REUSED', details: { jobId: outcome.job.id, differs } },
  );
}

function validateMessage(job: Job): StageMessage {
  return { jobId: job.id, stage: 'validate', hop: 0, seq: job.version, id: randomUUID() };
}

export async function createUpgrade(
  deps: CreateUpgradeDeps,
  input: CreateUpgradeInput,
): Promise<CreateUpgradeResult> {
  const { targetVersion, callbackUrl } = checkInput(input, deps);
  if (!(await deps.clusters.get(input.cluster))) {
    throw new NotFoundError(
      `cluster ${input.cluster} is not registered: add it with PUT /clusters/${input.cluster}`,
    );
  }
  const now = deps.clock.now();
  const expectedWaits = await expectedWaitsOf(deps, input, now);
  const job = newJob({
    id: deps.newId?.() ?? randomUUID(),
    cluster: input.cluster,
    targetVersion,
    at: now,
    ...(input.options ? { options: input.options } : {}),
    ...(callbackUrl === undefined ? {} : { callbackUrl }),
    ...(input.batchId === undefined ? {} : { batchId: input.batchId }),
    ...(expectedWaits ? { expectedWaits } : {}),
  });
  const idempotency =
    input.idempotencyKey === undefined ? undefined : idempotencyRecord(deps, input.idempotencyKey, job);
  const outcome = await deps.jobs.create(job, idempotency);
  if (!outcome.created && idempotency) checkReplay(outcome, idempotency, job);
  const { job: stored, created } = outcome;
  // A retry with the same key may follow a crash between the insert and the send: send again
  // while the job is untouched; a second copy is harmless (one wins, the other is dropped).
  if (!created && !(stored.state === 'queued' && stored.version === 1)) return { job: stored, created };
  // Emitted before the send (and again on a retry while the job is untouched), so no crash
  // between the two can leave a job that runs without its first event. A notifier that fails
  // does not keep the job from starting; the request still fails, as the event was not sent.
  const unsent = await deps.notifier.emit(createdEvent(stored), stored).then(
    () => undefined,
    (error: unknown) => error,
  );
  try {
    await deps.queue.send('validate', validateMessage(stored));
  } catch (error) {
    await abandon(deps, stored, error);
    throw error;
  }
  if (unsent) throw unsent;
  deps.log?.info('upgrade queued', { jobId: stored.id, cluster: stored.cluster, targetVersion, created });
  return { job: stored, created };
}

/**
 * Per stage, what the rollout's earlier jobs took, else the wait history's time. The history only
 * times first looks: a job that cannot read it polls from the start, as before any was kept.
 */
async function expectedWaitsOf(
  deps: CreateUpgradeDeps,
  input: CreateUpgradeInput,
  now: Date,
): Promise<StageSeconds | undefined> {
  let history: StageSeconds | undefined;
  try {
    history = deps.waitHistory && historyExpectation(await deps.waitHistory.recent(), now);
  } catch (error) {
    deps.log?.warn('wait history unreadable; the job polls from the start', {
      error: errorMessage(error),
    });
  }
  const merged = { ...history, ...input.expectedWaits };
  return Object.keys(merged).length > 0 ? merged : undefined;
}

/** A job whose first message could not be sent would hold the cluster forever: end it. */
async function abandon(deps: CreateUpgradeDeps, job: Job, error: unknown): Promise<void> {
  const detail = errorMessage(error);
  const failed = transition(job, 'failed', {
    at: deps.clock.now(),
    reason: `could not enqueue validation: ${detail}`,
  });
  try {
    await deps.jobs.update(failed, job.version);
    await emitTransitions(deps.notifier, job, failed);
  } catch (cleanupError) {
    deps.log?.error('could not mark an unqueued job failed', {
      jobId: job.id,
      error: errorMessage(cleanupError),
    });
  }
}
