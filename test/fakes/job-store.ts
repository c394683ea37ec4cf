import { ConflictError, NotFoundError } from '#domain/errors.ts';
import type { Job } from '#domain/job.ts';
import { isActive } from '#domain/job-transitions.ts';
import type { CreateOutcome, IdempotencyRecord, JobFilter, JobStore } from '#shared/ports.ts';

/**
 * JobStore with the contract's rules: one active job per cluster (ConflictError
 * ACTIVE_JOB_EXISTS), live idempotency keys returning their job and fingerprint, expired ones
 * as if never used, and conditional updates on the version (ConflictError VERSION_CONFLICT).
 * Jobs are copied in and out, like a real store.
 */
export class InMemoryJobStore implements JobStore {
  private readonly jobs = new Map<string, Job>();
  private readonly keys = new Map<string, IdempotencyRecord & { jobId: string }>();
  /** Every successful update, in order (a job's history of committed versions). */
  readonly updates: Job[] = [];
  /** Called before each update is applied; throw from it to simulate a failing store. */
  beforeUpdate: ((job: Job, expectedVersion: number) => void) | undefined;

  async create(job: Job, idempotency?: IdempotencyRecord): Promise<CreateOutcome> {
    const record = idempotency && this.keys.get(idempotency.key);
    const existing = record && record.expiresAt > job.createdAt ? this.jobs.get(record.jobId) : undefined;
    if (record && existing) {
      return { created: false, job: structuredClone(existing), fingerprint: record.fingerprint };
    }
    const active = [...this.jobs.values()].find(
      (other) => other.cluster === job.cluster && isActive(other.state),
    );
    if (active) {
      throw new ConflictError(
        `cluster ${job.cluster} already has an active upgrade job ${active.id} (${active.state})`,
        {
          code: 'ACTIVE_JOB_EXISTS',
          details: { jobId: active.id },
        },
      );
    }
    if (this.jobs.has(job.id)) throw new ConflictError(`job ${job.id} already exists`);
    this.jobs.set(job.id, structuredClone(job));
    if (idempotency) this.keys.set(idempotency.key, { ...idempotency, jobId: job.id });
    return { created: true, job: structuredClone(job) };
  }

  async get(id: string): Promise<Job | undefined> {
    const job = this.jobs.get(id);
    return job && structuredClone(job);
  }

  async update(job: Job, expectedVersion: number): Promise<void> {
    this.beforeUpdate?.(job, expectedVersion);
    const current = this.jobs.get(job.id);
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
    this.jobs.set(job.id, structuredClone(job));
    this.updates.push(structuredClone(job));
  }

  async list(filter: JobFilter): Promise<Job[]> {
    const matching = [...this.jobs.values()]
      .filter((job) => filter.cluster === undefined || job.cluster === filter.cluster)
      .filter((job) => filter.state === undefined || job.state === filter.state)
      .filter((job) => filter.batchId === undefined || job.batchId === filter.batchId)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return matching.slice(0, filter.limit ?? matching.length).map((job) => structuredClone(job));
  }

  /** Writes a job as is (test set-up, e.g. a job left mid-stage by a crash). */
  seed(job: Job): void {
    this.jobs.set(job.id, structuredClone(job));
  }
}
