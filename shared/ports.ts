/**
 * The ports the stage handlers depend on. Each handler takes only the ports it needs (narrow
 * `Pick<>`s of these), so tests pass in-memory fakes and the local runtime and Lambda pass their
 * own adapters. Adapters map their failures onto the errors in #domain/errors.ts
 * (NotFoundError, ConflictError, TransientError) and keep the cause.
 *
 * This file is a contract shared by shared/adapters/{local,aws,kube}; change it deliberately.
 */
import type {
  CapacityView,
  CsvView,
  InstallPlanView,
  PackageChannelView,
  PvcView,
  RedisBackupView,
  RedisInstanceView,
  SubscriptionView,
} from '#domain/cluster-views.ts';
import type { Job, JobState, StageName } from '#domain/job.ts';
import type { JobEvent } from '#domain/job-event.ts';
import type { InstanceRef } from '#domain/redis-instance.ts';
import type { Batch, BatchState } from '#domain/rollout/batch.ts';
import type { BatchEvent } from '#domain/rollout/batch-events.ts';
import type { WaitRecord } from '#domain/wait-history.ts';
import type { WakeCondition } from '#domain/wake-condition.ts';

// ---------------------------------------------------------------- jobs

export interface JobFilter {
  cluster?: string;
  state?: JobState;
  batchId?: string;
  limit?: number;
}

/** An Idempotency-Key as the store keeps it beside the job it created. */
export interface IdempotencyRecord {
  key: string;
  /** sha256 of the normalized request (#domain/upgrade-request.ts). */
  fingerprint: string;
  /** ISO time from which the key is as if it had never been used. */
  expiresAt: string;
}

export type CreateOutcome =
  | { created: true; job: Job }
  /** `fingerprint` is undefined for a record written before fingerprints were kept. */
  | { created: false; job: Job; fingerprint: string | undefined };

export interface JobStore {
  /**
   * Inserts a new job. Throws ConflictError (code ACTIVE_JOB_EXISTS) when the cluster already has
   * an active job. With `idempotency` whose key has a live record (expiring after `job.createdAt`),
   * creates nothing and returns that record's job and fingerprint (comparing them is the caller's
   * business); an expired record is replaced in the same atomic write as the insert.
   */
  create(job: Job, idempotency?: IdempotencyRecord): Promise<CreateOutcome>;
  get(id: string): Promise<Job | undefined>;
  /** Conditional write: succeeds only when the stored job still has `expectedVersion`, else ConflictError. */
  update(job: Job, expectedVersion: number): Promise<void>;
  list(filter: JobFilter): Promise<Job[]>;
}

/**
 * What earlier upgrades took per stage (#domain/wait-history.ts): HISTORY_SLOTS records, each slot
 * overwritten by the next job that hashes to it.
 */
export interface WaitHistory {
  /** Every slot's record, in no particular order. */
  recent(): Promise<WaitRecord[]>;
  /** Writes `record` to `slot`, replacing what was there. */
  record(slot: number, record: WaitRecord): Promise<void>;
}

// ---------------------------------------------------------------- batches

export interface BatchFilter {
  state?: BatchState;
  limit?: number;
}

export type BatchCreateOutcome =
  | { created: true; batch: Batch }
  | { created: false; batch: Batch; fingerprint: string };

/**
 * Fleet rollouts (#domain/rollout/batch.ts) and the record of their decisions. Every change of a
 * batch is a conditional write on its version, committed together with the events of the
 * decision that made it: a decision is recorded exactly when it took effect.
 */
export interface BatchStore {
  /**
   * Inserts a new batch. With `idempotency` whose key has a live record (expiring after
   * `batch.createdAt`), creates nothing and returns that record's batch and fingerprint;
   * an expired record is replaced in the same atomic write as the insert.
   */
  create(batch: Batch, idempotency?: IdempotencyRecord): Promise<BatchCreateOutcome>;
  /** The batch a live Idempotency-Key (expiring after `at`) created, with the request's fingerprint. */
  findByIdempotencyKey(key: string, at: string): Promise<{ batch: Batch; fingerprint: string } | undefined>;
  get(id: string): Promise<Batch | undefined>;
  /** Newest first. */
  list(filter: BatchFilter): Promise<Batch[]>;
  /**
   * Writes `batch` only when the stored one is still at `expectedVersion` (else ConflictError),
   * and appends `events` in the same atomic write. An event id already recorded is kept as it is.
   */
  update(batch: Batch, expectedVersion: number, events?: readonly BatchEvent[]): Promise<void>;
  /** The batch's events, oldest first (by sequence number). */
  events(batchId: string): Promise<BatchEvent[]>;
  /**
   * The sequence number up to which the batch's events were handed to webhooks (0 when none):
   * kept apart from the batch, so marking it never moves the batch's version (nor supersedes its timers).
   */
  publishedThrough(batchId: string): Promise<number>;
  /** Raises the mark to `seq`; a lower or equal `seq` leaves it as it is. */
  markPublished(batchId: string, seq: number): Promise<void>;
}

// ---------------------------------------------------------------- queues

/** docs/architecture.md §4: the body of every stage message. `seq` is the job version the sender saw. */
export interface StageMessage {
  jobId: string;
  stage: StageName;
  hop: number;
  seq: number;
  /**
   * Unique per send (a redelivery of one send keeps it). Lets a handler tell the crash-between-
   * write-and-send redelivery from a copy it re-emitted itself (see #domain/job-messages.ts).
   * Queue adapters must carry the whole body through; a missing id still works, less strictly.
   */
  id?: string;
}

/**
 * What wakes a rollout: its creation, an operator's command, a job of the batch ending, a timer.
 * `seq` is the batch version the sender saw; a timer set by an older version is superseded by
 * the timer of the decision that made the newer one.
 */
export interface RolloutMessage {
  batchId: string;
  /** Why, for the log. */
  reason: string;
  /** A timer's number and due time (#domain/rollout/rollout-timer.ts); absent on other wakes. */
  seq?: number;
  due?: string;
  /** The job whose end this wake reports: the rollout reads that job, not all the batch's. */
  jobId?: string;
}

export interface SendOptions {
  /** Re-enqueue waits are delays, never sleeping handlers. Adapters cap or chain long delays. */
  delaySeconds?: number;
}

/**
 * Named queues, each carrying one message type: `M` maps a queue name to its message, e.g.
 * `StageQueues`. A use case asks for the narrowest map it sends on; the adapters (SQS, SQLite)
 * carry any JSON object to any queue they were given, and the consumer table
 * (#usecases/consumers.ts) says which queues each consumer may send to and how each queue's
 * messages are parsed on receipt.
 */
export interface Queue<M extends object = Record<string, object>> {
  send<N extends keyof M & string>(queue: N, message: M[N], options?: SendOptions): Promise<void>;
}

/** What the stages send: a stage message to the queue of its stage. */
export type StageQueues = { [S in StageName]: StageMessage };

/** The rollout's own queue. */
export type RolloutQueues = { rollout: RolloutMessage };

// ---------------------------------------------------------------- artifacts

export interface ArtifactRef {
  package: string;
  version: string;
  fileName: string;
  sha256: string;
  size?: number;
}

export interface ArtifactStore {
  /** True when the artifact is stored and its recorded sha256 matches. */
  has(ref: ArtifactRef): Promise<boolean>;
  /**
   * Stores the stream, verifying sha256 while writing; on mismatch nothing is kept and a
   * ValidationError (code CHECKSUM_MISMATCH) is thrown. Concurrent puts of one ref store it once.
   */
  put(ref: ArtifactRef, body: AsyncIterable<Uint8Array>): Promise<void>;
  /** A local file path holding the artifact (downloaded to a temp file for remote stores). */
  localPath(ref: ArtifactRef): Promise<string>;
}

/** Streams a catalog artifact URL (with retries on transient failures). */
export interface ArtifactDownloader {
  download(url: string): Promise<AsyncIterable<Uint8Array>>;
}

// ---------------------------------------------------------------- clusters

export interface ClusterRecord {
  name: string;
  /** kubeconfig context (local) or Secrets Manager ARN of a kubeconfig (AWS). */
  context?: string;
  kubeconfigSecretArn?: string;
  labels: Record<string, string>;
  platformVersion?: string;
}

export interface ClusterRegistry {
  get(name: string): Promise<ClusterRecord | undefined>;
  put(record: ClusterRecord): Promise<void>;
  list(): Promise<ClusterRecord[]>;
}

/** Everything the stage handlers read from or do to one workload cluster. */
export interface ClusterClient {
  readSubscription(): Promise<SubscriptionView>;
  readCsv(name: string): Promise<CsvView | undefined>;
  readPlatformVersion(): Promise<string | undefined>;
  listRedisInstances(): Promise<RedisInstanceView[]>;
  listRedisBackups(): Promise<RedisBackupView[]>;
  /** Creates the backup `name` of the instance, or finds it when it exists already: idempotent. */
  createRedisBackup(instance: InstanceRef, name: string): Promise<RedisBackupView>;
  readCapacity(): Promise<CapacityView>;
  listPvcs(): Promise<PvcView[]>;
  /** The PackageManifest's channel of the package; offers nothing when the channel or package is absent. */
  readPackageChannel(packageName: string, channel: string): Promise<PackageChannelView>;
  readArtifactVersionReason(name: string): Promise<string | undefined>;
  patchSubscriptionChannel(channel: string, resourceVersion?: string): Promise<void>;
  readInstallPlan(name: string, namespace: string): Promise<InstallPlanView | undefined>;
  listInstallPlans(namespace: string): Promise<InstallPlanView[]>;
  /** Sets spec.approved=true guarded by resourceVersion, so a plan that changed is never approved. */
  approveInstallPlan(plan: InstallPlanView): Promise<void>;
  /**
   * Watches until `condition` holds (resolving at once when it holds already); rejects when the
   * watch fails or `signal` aborts. Optional: a client that cannot watch leaves waits to polls.
   */
  watchUntil?(condition: WakeCondition, signal: AbortSignal): Promise<void>;
}

export interface ClusterGateway {
  forCluster(cluster: ClusterRecord): Promise<ClusterClient>;
}

/**
 * Delivers a waiting job's delayed message early once what it waits for has happened
 * (#usecases/wake-on-change.ts); a runtime that cannot hold watches has none.
 */
export interface Waker {
  /** Whether a wait on `cluster` sent now would be watched (watches are capped, failing clusters polled). */
  canWatch(cluster: string): boolean;
  wake(wait: WaitToWake): void;
  /** Ends the job's watch, if any: its job ended or waits on nothing to watch (a Map lookup when none). */
  release(jobId: string): void;
}

export interface WaitToWake {
  jobId: string;
  cluster: string;
  condition: WakeCondition;
  /** The queue and body id of the wait's delayed message. */
  queue: string;
  messageId: string;
  /** When that message is due anyway: a watch is pointless after it. */
  dueAt: Date;
}

/** Makes a delayed message receivable now; false when it is no longer waiting (received, gone). */
export interface Expediter {
  expedite(queue: string, messageId: string): Promise<boolean>;
}

export interface PackageUploader {
  /** Pushes a package file to one cluster of a platform (violet push). */
  push(file: string, cluster: ClusterRecord): Promise<void>;
}

// ---------------------------------------------------------------- events and time

/**
 * What an emitter knows of the event's job beyond the event (whose data is the webhook payload):
 * its callback URL, a receiver of every event of the job. A Job is one.
 */
export interface JobEventContext {
  callbackUrl?: string;
}

/**
 * Where the stages and the API emit job events: sent to the notify queue when it has receivers,
 * and the end of a batch's job wakes its rollout (#usecases/notifier.ts). The events themselves are the job's history
 * (#domain/job-event.ts), listed from the job record, not stored apart.
 */
export interface Notifier {
  emit(event: JobEvent, job: JobEventContext): Promise<void>;
}

/** Counters and timings: Powertools Metrics (EMF) on Lambda, none locally. */
export interface Metrics {
  count(name: string): void;
  milliseconds(name: string, value: number): void;
}

export interface Clock {
  now(): Date;
}

/** Structured log lines (a Powertools Logger satisfies it). */
export interface Log {
  debug(message: string, ...attributes: Record<string, unknown>[]): void;
  info(message: string, ...attributes: Record<string, unknown>[]): void;
  warn(message: string, ...attributes: Record<string, unknown>[]): void;
  error(message: string, ...attributes: Record<string, unknown>[]): void;
}
