/**
 * JobStore on DynamoDB (single table, see dynamo-schema.ts). The at-most-one-active-job rule is
 * the database's: creating a job is one transaction that also puts ACTIVE#<cluster> on condition
 * that it does not exist. The transition into a terminal state is the conditional job write, then
 * the lock's delete on condition that this job holds it: two writes, not a transaction, which
 * would bill both twice. A process that dies between them leaves the lock of an ended job, which
 * is read as what it is: a list reads the job behind a lock and finds it ended, and a create that
 * meets such a lock deletes it (on condition that it still names that job) and tries once more.
 * An idempotency key is put in the create's transaction on condition that no live one exists:
 * TTL deletion is lazy, so an expired item still there is overwritten like an absent one. Items
 * are encoded in dynamo-job-item.ts, their index entries chosen in dynamo-job-index.ts.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  paginateScan,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { listLimit } from '#adapters/list-limit.ts';
import { ConflictError, TransientError } from '#domain/errors.ts';
import { isActiveJob, type Job } from '#domain/job.ts';
import type { CreateOutcome, IdempotencyRecord, JobFilter, JobStore } from '#shared/ports.ts';
import { cancellationReasons, firstConditionFailed, mapAwsError } from './aws-errors.ts';
import {
  type IndexQuery,
  indexQueries,
  isLockEntry,
  itemIndexBeforeLocks,
  lockItem,
} from './dynamo-job-index.ts';
import { jobIdOf, jobItem, jobOf } from './dynamo-job-item.ts';
import { putUnlessIndexedItself } from './dynamo-own-index.ts';
import { epochSeconds, JOB_INDEXES, keys, TTL_ATTRIBUTE } from './dynamo-schema.ts';

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
    return this.#create(job, idempotency, true);
  }

  async #create(
    job: Job,
    idempotency: IdempotencyRecord | undefined,
    mayRepair: boolean,
  ): Promise<CreateOutcome> {
    const { tableName: TableName } = this.#options;
    const items = [
      { Put: { TableName, Item: jobItem(job), ConditionExpression: 'attribute_not_exists(pk)' } },
      ...(isActiveJob(job)
        ? [
            {
              Put: {
                TableName,
                Item: lockItem(job),
                ConditionExpression: 'attribute_not_exists(pk)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
              },
            },
          ]
        : []),
      ...(idempotency
        ? [
            {
              Put: {
                TableName,
                Item: {
                  ...keys.idempotency(idempotency.key),
                  jobId: job.id,
                  fingerprint: idempotency.fingerprint,
                  [TTL_ATTRIBUTE]: epochSeconds(idempotency.expiresAt),
                },
                ConditionExpression: 'attribute_not_exists(pk) OR #expires <= :now',
                ExpressionAttributeNames: { '#expires': TTL_ATTRIBUTE },
                ExpressionAttributeValues: { ':now': epochSeconds(job.createdAt) },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
              },
            },
          ]
        : []),
    ];
    try {
      await this.#options.client.send(new TransactWriteCommand({ TransactItems: items }));
      return { created: true, job };
    } catch (error) {
      const staleLock = mayRepair && isActiveJob(job) ? await this.#endedLockHolder(error) : undefined;
      if (staleLock) {
        await this.#releaseLock(job.cluster, staleLock);
        return this.#create(job, idempotency, false);
      }
      return this.#createRefused(error, job, idempotency?.key, items.length);
    }
  }

  /** The id of the ended job whose lock refused the create (its end's lock delete never ran). */
  async #endedLockHolder(error: unknown): Promise<string | undefined> {
    const holder = cancellationReasons(error)?.[1];
    const jobId = holder?.Code === 'ConditionalCheckFailed' ? holder.Item?.jobId?.S : undefined;
    const held = jobId ? await this.get(jobId) : undefined;
    return held && !isActiveJob(held) ? held.id : undefined;
  }

  /** Deletes the cluster's lock if `jobId` holds it; another job's lock, or none, stays as it is. */
  async #releaseLock(cluster: string, jobId: string): Promise<void> {
    try {
      await this.#options.client.send(
        new DeleteCommand({
          TableName: this.#options.tableName,
          Key: keys.active(cluster),
          ConditionExpression: 'jobId = :id',
          ExpressionAttributeValues: { ':id': jobId },
        }),
      );
    } catch (error) {
      if (!firstConditionFailed(error)) throw mapAwsError(error, `release the lock of cluster ${cluster}`);
    }
  }

  async #createRefused(
    error: unknown,
    job: Job,
    idempotencyKey: string | undefined,
    count: number,
  ): Promise<CreateOutcome> {
    const reasons = cancellationReasons(error);
    if (!reasons?.some((reason) => reason.Code === 'ConditionalCheckFailed')) {
      throw mapAwsError(error, `create job for cluster ${job.cluster}`);
    }
    const failed = (index: number) => reasons[index]?.Code === 'ConditionalCheckFailed';
    if (idempotencyKey && failed(count - 1)) {
      const record = reasons[count - 1]?.Item;
      const jobId = record?.jobId?.S;
      const existing = jobId ? await this.get(jobId) : undefined;
      if (existing) return { created: false, job: existing, fingerprint: record?.fingerprint?.S };
      throw new TransientError(`idempotency key ${idempotencyKey} is held by a job not yet readable; retry`);
    }
    if (isActiveJob(job) && failed(1)) {
      const activeJobId = reasons[1]?.Item?.jobId?.S;
      throw new ConflictError(
        `cluster ${job.cluster} already has an active upgrade job ${activeJobId ?? ''}`.trim(),
        {
          code: 'ACTIVE_JOB_EXISTS',
          details: { cluster: job.cluster, activeJobId },
          cause: error,
        },
      );
    }
    throw new ConflictError(`job ${job.id} already exists`, { code: 'JOB_EXISTS', cause: error });
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
        });
        return;
      }
      await this.#options.client.send(new PutCommand(put));
    } catch (error) {
      throw this.#staleOrMapped(error, job, expectedVersion);
    }
    // Finishing releases the cluster's lock, but only a lock this job holds.
    await this.#releaseLock(job.cluster, job.id);
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
   * was put in the transaction that put the job, so a consistent read always finds the job.
   */
  async #indexedJob(item: Record<string, unknown>): Promise<Job | undefined> {
    return isLockEntry(item) ? this.get(String(item.jobId)) : jobOf(item, jobIdOf(item));
  }

  /** The job holding `cluster`'s lock, read by the lock's key (locks have no byCluster entry). */
  async #lockedJob(cluster: string): Promise<Job | undefined> {
    const lock = await this.#options.client.send(
      new GetCommand({ TableName: this.#options.tableName, Key: keys.active(cluster), ConsistentRead: true }),
    );
    return lock.Item ? this.get(String(lock.Item.jobId)) : undefined;
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
        if (matches(job) && jobs.length < limit) jobs.push(job);
      }
      if (jobs.length >= limit) break;
    }
    return jobs;
  }
}
