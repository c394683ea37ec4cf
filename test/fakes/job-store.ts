import { readStoredJob, storedJob } from '#adapters/stored-job.ts';
import { ConflictError, NotFoundError } from '#domain/errors.ts';
import { isActive, type Job } from '#domain/job.ts';
import type { CreateOutcome, IdempotencyRecord, JobFilter, JobStore } from '#shared/ports.ts';

/**
 * JobStore with the contract's rules: one active job per cluster (ConflictError
 * ACTIVE_JOB_EXISTS), live idempotency keys returning their job and fingerprint, expired ones
 * as if never used, and conditional updates on the version (ConflictError VERSION_CONFLICT).
 * Jobs are stored and read back in their stored shape (#adapters/stored-job.ts), like a real
 * store: a job no store could read back fails the test that built it.
 */
export class InMemoryJobStore implements JobStore {
  private readonly records = new Map<string, unknown>();
  private readonly keys = new Map<string, IdempotencyRecord & { jobId: string }>();
  /** Every successful update, in order (a job's history of committed versions). */
  readonly updates: Job[] = [];
  /** Called before each update is applied; throw from it to simulate a failing store. */
  beforeUpdate: ((job: Job, expectedVersion: number) => void) | undefined;

  async create(job: Job, idempotency?: IdempotencyRecord): Promise<CreateOutcome> {
    const record = idempotency && this.keys.get(idempotency.key);
    const existing = record && record.expiresAt > job.createdAt ? this.read(record.jobId) : undefined;
    if (record && existing) return { created: false, job: existing, fingerprint: record.fingerprint };
    const active = this.all().find((other) => other.cluster === job.cluster && isActive(other.state));
    if (active) {
      throw new ConflictError(
        `cluster ${job.cluster} already has an active upgrade job ${active.id} (${active.state})`,
        {
          code: 'ACTIVE_JOB_EXISTS',
          details: { jobId: active.id },
        },
      );
    }
    if (this.records.has(job.id)) throw new ConflictError(`job ${job.id} already exists`);
    const created = this.write(job);
    if (idempotency) this.keys.set(idempotency.key, { ...idempotency, jobId: job.id });
    return { created: true, job: created };
  }

  async get(id: string): Promise<Job | undefined> {
    return this.read(id);
  }

  async update(job: Job, expectedVersion: number): Promise<void> {
    this.beforeUpdate?.(job, expectedVersion);
    const current = this.read(job.id);
    if (!current) throw new NotFoundError(`job ${job.id} not found`);
    if (current.version !== expectedVersion) {
      throw new ConflictError(`job ${job.id} is at version ${current.version}, not ${expectedVersion}`, {
        code: 'VERSION_CONFLICT',
      });
    }
    if (job.version <= expectedVersion) {
      throw new Error(
        `update of job ${job.id} must raise its version above ${expectedVersion}, got ${job.version}`,
      );
    }
    this.updates.push(this.write(job));
  }

  async list(filter: JobFilter): Promise<Job[]> {
    const matching = this.all()
      .filter((job) => filter.cluster === undefined || job.cluster === filter.cluster)
      .filter((job) => filter.state === undefined || job.state === filter.state)
      .filter((job) => filter.batchId === undefined || job.batchId === filter.batchId)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return matching.slice(0, filter.limit ?? matching.length);
  }

  /** Writes a job as is (test set-up, e.g. a job left mid-stage by a crash). */
  seed(job: Job): void {
    this.write(job);
  }

  /** Writes a stored record as is (test set-up: a damaged record, or one of an older shape). */
  seedRecord(id: string, record: unknown): void {
    this.records.set(id, structuredClone(record));
  }

  /** Stores the job; returns it as read back. */
  private write(job: Job): Job {
    const record = structuredClone(storedJob(job));
    this.records.set(job.id, record);
    return readStoredJob(structuredClone(record), job.id);
  }

  private read(id: string): Job | undefined {
    return this.records.has(id) ? readStoredJob(structuredClone(this.records.get(id)), id) : undefined;
  }

  private all(): Job[] {
    return [...this.records.entries()].map(([id, record]) => readStoredJob(structuredClone(record), id));
  }
}
