/**
 * Where a job is found by cluster, batch and state: the byCluster, byState and byBatch indexes.
 *
 * The indexes project every attribute, so a write to an item that is in an index is billed again
 * in each of them, twice where it changes the index's key. A job item is written about a dozen
 * times per hop and its state changes on most of those writes: indexed itself, each write cost
 * three or four write units instead of one (bench/cost-model.ts counts both layouts). So an
 * active job is indexed by its cluster's lock item, which the transactions that start and end
 * the job already put and delete, and the job item joins the indexes only in its last write,
 * when it ends. Active jobs share one state partition; a list by an active state reads that
 * partition and keeps the jobs in that state. A list by cluster reads the cluster's lock by its
 * key besides the byCluster index, so the lock needs no entry there.
 *
 * Items written before this layout index an active job on the job item itself. Such an item keeps
 * its index attributes until the job ends (DynamoJobStore.update), and a list by an active state
 * also reads that state's own partition, so no job drops out of a list while it runs.
 */
import { isActive, isActiveJob, type Job } from '#domain/job.ts';
import type { JobFilter } from '#shared/ports.ts';
import { ACTIVE_JOBS_PARTITION, JOB_INDEXES, keys } from './dynamo-schema.ts';

type JobIndex = (typeof JOB_INDEXES)[keyof typeof JOB_INDEXES];

/** One index partition to read, newest first. */
export interface IndexQuery {
  index: JobIndex;
  value: string;
}

function indexAttributes(job: Job, statePartition: string): Record<string, string> {
  return {
    [JOB_INDEXES.byCluster.partition]: `CLUSTER#${job.cluster}`,
    [JOB_INDEXES.byState.partition]: statePartition,
    ...(job.batchId ? { [JOB_INDEXES.byBatch.partition]: `BATCH#${job.batchId}` } : {}),
    [JOB_INDEXES.byCluster.sort]: `${job.createdAt}#${job.id}`,
  };
}

/** The index attributes of a job item: none while the job is active (its lock carries them). */
export function jobItemIndex(job: Job): Record<string, string> {
  return isActiveJob(job) ? {} : indexAttributes(job, `STATE#${job.state}`);
}

/** The index attributes of a job item written before active jobs were indexed by their lock. */
export function itemIndexBeforeLocks(job: Job): Record<string, string> {
  return indexAttributes(job, `STATE#${job.state}`);
}

/**
 * The cluster's lock while `job` is active: the uniqueness rule, and the job's entries in the
 * byState and byBatch indexes. Not in byCluster: a list by cluster reads the lock itself, by its
 * key (ACTIVE#<cluster>), which spares an index entry put and deleted on every job.
 */
export function lockItem(job: Job): Record<string, unknown> {
  const { [JOB_INDEXES.byCluster.partition]: _, ...entries } = indexAttributes(job, ACTIVE_JOBS_PARTITION);
  return { ...keys.active(job.cluster), jobId: job.id, since: job.createdAt, ...entries };
}

/** Whether an index entry is a lock standing for its active job (else it is the job item). */
export const isLockEntry = (item: Record<string, unknown>) => item.sk === keys.active('').sk;

/** The partitions that hold the jobs a filter asks for; undefined: no index narrows it (scan). */
export function indexQueries(filter: JobFilter): IndexQuery[] | undefined {
  if (filter.batchId) return [{ index: JOB_INDEXES.byBatch, value: `BATCH#${filter.batchId}` }];
  if (filter.cluster) return [{ index: JOB_INDEXES.byCluster, value: `CLUSTER#${filter.cluster}` }];
  if (!filter.state) return undefined;
  const own = { index: JOB_INDEXES.byState, value: `STATE#${filter.state}` };
  return isActive(filter.state) ? [{ index: JOB_INDEXES.byState, value: ACTIVE_JOBS_PARTITION }, own] : [own];
}
