/**
 * JobStore on DynamoDB (single table, see dynamo-schema.ts). The at-most-one-active-job rule is
 * the database's: a job is created with its cluster's lock, put on condition that none exists
 * (dynamo-job-create.ts). The transition into a terminal state is the conditional job write,
 * then the lock's delete on condition that this job holds it: two writes, not a transaction,
 * which would bill both twice. A process that dies between them leaves the lock of an ended job,
 * which is read as what it is: a list reads the job behind a lock and finds it ended, and a
 * create that meets such a lock deletes it and tries once more. Items are encoded in
 * dynamo-job-item.ts, their index entries chosen in dynamo-job-index.ts.
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  paginateScan,
} from '@aws-sdk/lib-dynamodb';
import { listLimit } from '#adapters/list-limit.ts';
import { ConflictError } from '#domain/errors.ts';
import { isActiveJob, type Job } from '#domain/job.ts';
import type { CreateOutcome, IdempotencyRecord, JobFilter, JobStore } from '#shared/ports.ts';
import { firstConditionFailed, mapAwsError } from './aws-errors.ts';
import { createJob, lockHolder, releaseLock } from './dynamo-job-create.ts';
import { type IndexQuery, indexQueries, isLockEntry, itemIndexBeforeLocks } from './dynamo-job-index.ts';
import { jobIdOf, jobItem, jobOf } from './dynamo-job-item.ts';
import { putUnlessIndexedItself } from './dynamo-own-index.ts';
import { JOB_INDEXES, keys } from './dynamo-schema.ts';
import { isWritten } from './dynamo-written.ts';

export interface DynamoJobStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/** Index entries per page: at most this many active jobs are read at once behind their locks. */
const INDEX_PAGE_SIZE = 100;

export class DynamoJobStore implements JobStore {
  readonly #options: DynamoJobStoreOptions;

  constructor(options: DynamoJobStoreOptions) {
    this.#options = options;
  }

  async create(job: Job, idempotency?: IdempotencyRecord): Promise<CreateOutcome> {
    return createJob(this.#options, (id) => this.get(id), job, idempotency);
  }

  async get(id: string): Promise<Job | undefined> {
    try {
      const result = await this.#options.client.send(
        new GetCommand({ TableName: this.#options.tableName, Key: keys.job(id), ConsistentRead: true }),
      );
      return result.Item ? jobOf(result.Item, id) : undefined;
    } catch (error) {
      throw mapAwsError(error, `read job ${id}`);
    }
  }

  async update(job: Job, expectedVersion: number): Promise<void> {
    const { tableName: TableName } = this.#options;
    const put = {
      TableName,
      Item: jobItem(job),
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': expectedVersion },
    };
    try {
      if (isActiveJob(job)) {
        await putUnlessIndexedItself(this.#options.client, put, {
          key: keys.job(job.id),
          expectedVersion,
          attribute: JOB_INDEXES.byCluster.partition,
          entries: itemIndexBeforeLocks(job),
          content: 'job',
        });
        return;
      }
      await this.#options.client.send(new PutCommand(put)).catch(async (error: unknown) => {
        // A retry of a put that landed (its answer lost) fails on the item it wrote: that is done.
        if (!firstConditionFailed(error) || !(await isWritten(this.#options, put.Item, 'job'))) throw error;
      });
    } catch (error) {
      throw this.#staleOrMapped(error, job, expectedVersion);
    }
    // Finishing releases the cluster's lock, but only a lock this job holds.
    await releaseLock(this.#options, job.cluster, job.id);
  }

  #staleOrMapped(error: unknown, job: Job, expectedVersion: number): Error {
    if (firstConditionFailed(error)) {
      return new ConflictError(`job ${job.id} is no longer at version ${expectedVersion}`, {
        code: 'STALE_VERSION',
        cause: error,
      });
    }
    return mapAwsError(error, `update job ${job.id}`);
  }

  async list(filter: JobFilter): Promise<Job[]> {
    const limit = listLimit(filter.limit);
    const matches = (job: Job) =>
      (!filter.cluster || job.cluster === filter.cluster) &&
      (!filter.state || job.state === filter.state) &&
      (!filter.batchId || job.batchId === filter.batchId);
    const queries = indexQueries(filter);
    try {
      const found = queries
        ? (await Promise.all(queries.map((query) => this.#queryJobs(query, matches, limit)))).flat()
        : await this.#scanJobs(matches, limit);
      const locked = filter.cluster ? await this.#lockedJob(filter.cluster) : undefined;
      if (locked && matches(locked)) found.push(locked);
      // A job that just ended can show by its lock and by its own item until the index catches up;
      // a lock written before locks left byCluster shows in the index and by its key.
      const unique = [...new Map(found.map((job) => [job.id, job])).values()];
      return unique.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, limit);
    } catch (error) {
      throw mapAwsError(error, 'list jobs');
    }
  }

  async #queryJobs(query: IndexQuery, matches: (job: Job) => boolean, limit: number): Promise<Job[]> {
    const jobs = new Map<string, Job>();
    const pages = paginateQuery(
      { client: this.#options.client, pageSize: INDEX_PAGE_SIZE },
      {
        TableName: this.#options.tableName,
        IndexName: query.index.name,
        KeyConditionExpression: '#p = :p',
        ExpressionAttributeNames: { '#p': query.index.partition },
        ExpressionAttributeValues: { ':p': query.value },
        ScanIndexForward: false,
      },
    );
    for await (const page of pages) {
      const read = await Promise.all((page.Items ?? []).map((item) => this.#indexedJob(item)));
      for (const job of read) if (job && matches(job) && jobs.size < limit) jobs.set(job.id, job);
      if (jobs.size >= limit) break;
    }
    return [...jobs.values()];
  }

  /**
   * The job an index entry stands for: the job item itself, or an active job's lock. The lock
   * was put after the job or with it, so a consistent read always finds the job.
   */
  async #indexedJob(item: Record<string, unknown>): Promise<Job | undefined> {
    return isLockEntry(item) ? this.get(String(item.jobId)) : jobOf(item, jobIdOf(item));
  }

  /** The job holding `cluster`'s lock, read by the lock's key (locks have no byCluster entry). */
  async #lockedJob(cluster: string): Promise<Job | undefined> {
    const holder = await lockHolder(this.#options, cluster);
    return holder ? this.get(holder) : undefined;
  }

  async #scanJobs(matches: (job: Job) => boolean, limit: number): Promise<Job[]> {
    const jobs: Job[] = [];
    const pages = paginateScan(
      { client: this.#options.client },
      {
        TableName: this.#options.tableName,
        FilterExpression: 'sk = :job',
        ExpressionAttributeValues: { ':job': 'JOB' },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const job = jobOf(item, jobIdOf(item));
        if (!matches(job) || jobs.length >= limit) continue;
        // An active job shows behind its lock: without one, its create never finished.
        if (!isActiveJob(job) || (await lockHolder(this.#options, job.cluster)) === job.id) jobs.push(job);
      }
      if (jobs.length >= limit) break;
    }
    return jobs;
  }
}
