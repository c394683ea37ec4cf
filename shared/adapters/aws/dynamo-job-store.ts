/**
 * JobStore on DynamoDB (single table, see dynamo-schema.ts). The at-most-one-active-job rule is
 * the database's: creating a job is one transaction that also puts ACTIVE#<cluster> on condition
 * that it does not exist, and the transition into a terminal state deletes that lock in the same
 * transaction as the conditional job write. An idempotency key is put in the same transaction on
 * condition that no live one exists: TTL deletion is lazy, so an expired item still there is
 * overwritten like an absent one. No read-then-write anywhere.
 *
 * The job is stored as Brotli-compressed JSON: a single-hop job of 2.2 KB takes 0.76 KB (gzip:
 * 0.91 KB, which with the keys beside it passes 1 KB), so each of its twenty-odd writes per hop
 * costs one write unit instead of three (bench fleet's cost model). Brotli's default (and
 * slowest) quality on purpose: quality 5 compresses a job in 0.13 ms instead of 2.6 ms but 65
 * bytes larger, which puts a single-hop item at the edge of 1 KB, and a second write unit on each
 * write costs ~25 times the CPU saved. Items written before are maps, and are read as they are.
 */
import { brotliCompressSync, brotliDecompressSync } from 'node:zlib';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { listLimit } from '#adapters/list-limit.ts';
import { readStoredJob, storedJob } from '#adapters/stored-job.ts';
import { ConflictError, TransientError, UnreadableRecordError } from '#domain/errors.ts';
import { isActiveJob, type Job } from '#domain/job.ts';
import type { CreateOutcome, IdempotencyRecord, JobFilter, JobStore } from '#shared/ports.ts';
import { awsErrorName, cancellationReasons, mapAwsError } from './aws-errors.ts';
import { epochSeconds, JOB_INDEXES, keys, TTL_ATTRIBUTE } from './dynamo-schema.ts';

export interface DynamoJobStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/** The id of a job item, from its key (JOB#<id>). */
const jobIdOf = (item: Record<string, unknown>) => String(item.pk).replace(/^JOB#/, '');

/** The stored job of an item: compressed JSON, or (written before compression) a map. */
function jobOf(item: Record<string, unknown>, id: string): Job {
  const stored = item.job;
  if (!(stored instanceof Uint8Array)) return readStoredJob(stored, id);
  let record: unknown;
  try {
    record = JSON.parse(brotliDecompressSync(stored).toString('utf8'));
  } catch (error) {
    throw new UnreadableRecordError(`stored job ${id} is not compressed JSON`, { cause: error });
  }
  return readStoredJob(record, id);
}

export function jobItem(job: Job): Record<string, unknown> {
  const created = `${job.createdAt}#${job.id}`;
  return {
    ...keys.job(job.id),
    version: job.version,
    job: brotliCompressSync(JSON.stringify(storedJob(job))),
    [JOB_INDEXES.byCluster.partition]: `CLUSTER#${job.cluster}`,
    [JOB_INDEXES.byState.partition]: `STATE#${job.state}`,
    ...(job.batchId ? { [JOB_INDEXES.byBatch.partition]: `BATCH#${job.batchId}` } : {}),
    createdKey: created,
  };
}

export class DynamoJobStore implements JobStore {
  readonly #options: DynamoJobStoreOptions;

  constructor(options: DynamoJobStoreOptions) {
    this.#options = options;
  }

  async create(job: Job, idempotency?: IdempotencyRecord): Promise<CreateOutcome> {
    const { tableName: TableName } = this.#options;
    const items = [
      { Put: { TableName, Item: jobItem(job), ConditionExpression: 'attribute_not_exists(pk)' } },
      ...(isActiveJob(job)
        ? [
            {
              Put: {
                TableName,
                Item: { ...keys.active(job.cluster), jobId: job.id, since: job.createdAt },
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
      return this.#createRefused(error, job, idempotency?.key, items.length);
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
        await this.#options.client.send(new PutCommand(put));
        return;
      }
      // Finishing releases the cluster's lock, but only a lock this job holds.
      await this.#options.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: put },
            {
              Delete: {
                TableName,
                Key: keys.active(job.cluster),
                ConditionExpression: 'attribute_not_exists(pk) OR jobId = :id',
                ExpressionAttributeValues: { ':id': job.id },
              },
            },
          ],
        }),
      );
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (
        reasons &&
        reasons[0]?.Code !== 'ConditionalCheckFailed' &&
        reasons[1]?.Code === 'ConditionalCheckFailed'
      ) {
        // The lock belongs to another job: this one must still be able to finish.
        await this.#options.client.send(new PutCommand(put)).catch((retry) => {
          throw this.#staleOrMapped(retry, job, expectedVersion);
        });
        return;
      }
      throw this.#staleOrMapped(error, job, expectedVersion);
    }
  }

  #staleOrMapped(error: unknown, job: Job, expectedVersion: number): Error {
    const reasons = cancellationReasons(error);
    if (
      awsErrorName(error) === 'ConditionalCheckFailedException' ||
      reasons?.[0]?.Code === 'ConditionalCheckFailed'
    ) {
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
    const jobs: Job[] = [];
    let start: Record<string, unknown> | undefined;
    try {
      do {
        const page = await this.#options.client.send(this.#listCommand(filter, start));
        for (const item of page.Items ?? []) {
          const job = jobOf(item, jobIdOf(item));
          if (matches(job) && jobs.length < limit) jobs.push(job);
        }
        start = page.LastEvaluatedKey;
      } while (start && jobs.length < limit);
    } catch (error) {
      throw mapAwsError(error, 'list jobs');
    }
    return jobs.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  #listCommand(filter: JobFilter, start: Record<string, unknown> | undefined): QueryCommand | ScanCommand {
    const TableName = this.#options.tableName;
    const index = filter.batchId
      ? { ...JOB_INDEXES.byBatch, value: `BATCH#${filter.batchId}` }
      : filter.cluster
        ? { ...JOB_INDEXES.byCluster, value: `CLUSTER#${filter.cluster}` }
        : filter.state
          ? { ...JOB_INDEXES.byState, value: `STATE#${filter.state}` }
          : undefined;
    if (!index) {
      return new ScanCommand({
        TableName,
        FilterExpression: 'sk = :job',
        ExpressionAttributeValues: { ':job': 'JOB' },
        ExclusiveStartKey: start,
      });
    }
    return new QueryCommand({
      TableName,
      IndexName: index.name,
      KeyConditionExpression: '#p = :p',
      ExpressionAttributeNames: { '#p': index.partition },
      ExpressionAttributeValues: { ':p': index.value },
      ScanIndexForward: false,
      ExclusiveStartKey: start,
    });
  }
}
