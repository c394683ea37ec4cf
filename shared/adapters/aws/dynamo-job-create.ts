/**
 * Creating a job on DynamoDB, and the cluster lock that makes at most one job active per cluster
 * (ACTIVE#<cluster>, put on condition that it does not exist).
 *
 * - Without an Idempotency-Key: the job item's put, then the lock's, each conditional, where a
 *   transaction would bill both twice. The job item comes first and is in no index while the
 *   job is active (its lock carries its entries), so nothing lists it until the lock is put. A
 *   create that dies between the two, or whose lock another job holds, leaves an item that no
 *   list shows (a scan shows an active job only behind its lock) and whose id nobody was given.
 * - With one: one transaction of the job, the lock and the key, the key on condition that no
 *   live one exists (TTL deletion is lazy, so an expired item still there counts as absent).
 *
 * Either way, a lock held by an ended job (whose end died before its lock delete) is deleted,
 * on condition that it still names that job, and the create tries once more.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, TransientError } from '#domain/errors.ts';
import { type ActiveJob, isActiveJob, type Job } from '#domain/job.ts';
import type { CreateOutcome, IdempotencyRecord } from '#shared/ports.ts';
import { cancellationReasons, firstConditionFailed, mapAwsError } from './aws-errors.ts';
import { lockItem } from './dynamo-job-index.ts';
import { jobItem } from './dynamo-job-item.ts';
import { epochSeconds, keys, TTL_ATTRIBUTE } from './dynamo-schema.ts';
import { isWritten } from './dynamo-written.ts';

export interface JobTable {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/** A consistent read of a job by id (the store's). */
export type ReadJob = (id: string) => Promise<Job | undefined>;

export async function createJob(
  table: JobTable,
  readJob: ReadJob,
  job: Job,
  idempotency: IdempotencyRecord | undefined,
): Promise<CreateOutcome> {
  if (!idempotency && isActiveJob(job)) {
    await putNewJob(table, job);
    await putLock(table, readJob, job, true);
    return { created: true, job };
  }
  return createInTransaction(table, readJob, job, idempotency, true);
}

/** The job holding `cluster`'s lock, by a consistent read of the lock. */
export async function lockHolder(table: JobTable, cluster: string): Promise<string | undefined> {
  const lock = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.active(cluster), ConsistentRead: true }),
  );
  return lock.Item ? String(lock.Item.jobId) : undefined;
}

/** Deletes the cluster's lock if `jobId` holds it; another job's lock, or none, stays as it is. */
export async function releaseLock(table: JobTable, cluster: string, jobId: string): Promise<void> {
  try {
    await table.client.send(
      new DeleteCommand({
        TableName: table.tableName,
        Key: keys.active(cluster),
        ConditionExpression: 'jobId = :id',
        ExpressionAttributeValues: { ':id': jobId },
      }),
    );
  } catch (error) {
    if (!firstConditionFailed(error)) throw mapAwsError(error, `release the lock of cluster ${cluster}`);
  }
}

function activeJobExists(cluster: string, activeJobId: string | undefined, cause?: unknown) {
  return new ConflictError(
    `cluster ${cluster} already has an active upgrade job ${activeJobId ?? ''}`.trim(),
    {
      code: 'ACTIVE_JOB_EXISTS',
      details: { cluster, activeJobId },
      ...(cause === undefined ? {} : { cause }),
    },
  );
}

async function putNewJob(table: JobTable, job: Job): Promise<void> {
  const item = jobItem(job);
  try {
    await table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!firstConditionFailed(error)) throw mapAwsError(error, `create job for cluster ${job.cluster}`);
    // The SDK retries a put whose answer was lost: then this very item is there already.
    if (!(await isWritten(table, item, 'job'))) {
      throw new ConflictError(`job ${job.id} already exists`, { code: 'JOB_EXISTS', cause: error });
    }
  }
}

async function putLock(table: JobTable, readJob: ReadJob, job: ActiveJob, mayRepair: boolean): Promise<void> {
  try {
    await table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: lockItem(job),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return;
  } catch (error) {
    if (!firstConditionFailed(error))
      throw mapAwsError(error, `lock cluster ${job.cluster} for job ${job.id}`);
  }
  const holderId = await lockHolder(table, job.cluster);
  if (holderId === job.id) return; // a retried put whose answer was lost
  const holder = holderId ? await readJob(holderId) : undefined;
  if (mayRepair && holder && !isActiveJob(holder)) {
    await releaseLock(table, job.cluster, holder.id);
    return putLock(table, readJob, job, false);
  }
  // Left behind, the item would be in no list; deleted, it is not even in a scan.
  await table.client
    .send(new DeleteCommand({ TableName: table.tableName, Key: keys.job(job.id) }))
    .catch(() => undefined);
  throw activeJobExists(job.cluster, holderId);
}

async function createInTransaction(
  table: JobTable,
  readJob: ReadJob,
  job: Job,
  idempotency: IdempotencyRecord | undefined,
  mayRepair: boolean,
): Promise<CreateOutcome> {
  const { tableName: TableName } = table;
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
    await table.client.send(new TransactWriteCommand({ TransactItems: items }));
    return { created: true, job };
  } catch (error) {
    const staleLock = mayRepair && isActiveJob(job) ? await endedLockHolder(readJob, error) : undefined;
    if (staleLock) {
      await releaseLock(table, job.cluster, staleLock);
      return createInTransaction(table, readJob, job, idempotency, false);
    }
    return transactionRefused(readJob, error, job, idempotency?.key, items.length);
  }
}

/** The id of the ended job whose lock refused the transaction (its end's lock delete never ran). */
async function endedLockHolder(readJob: ReadJob, error: unknown): Promise<string | undefined> {
  const holder = cancellationReasons(error)?.[1];
  const jobId = holder?.Code === 'ConditionalCheckFailed' ? holder.Item?.jobId?.S : undefined;
  const held = jobId ? await readJob(jobId) : undefined;
  return held && !isActiveJob(held) ? held.id : undefined;
}

async function transactionRefused(
  readJob: ReadJob,
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
    const existing = jobId ? await readJob(jobId) : undefined;
    if (existing) return { created: false, job: existing, fingerprint: record?.fingerprint?.S };
    throw new TransientError(`idempotency key ${idempotencyKey} is held by a job not yet readable; retry`);
  }
  if (isActiveJob(job) && failed(1)) throw activeJobExists(job.cluster, reasons[1]?.Item?.jobId?.S, error);
  throw new ConflictError(`job ${job.id} already exists`, { code: 'JOB_EXISTS', cause: error });
}
