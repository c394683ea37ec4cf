/**
 * What the rollout learns about its jobs before each decision: the latest stored state of the
 * job of every cluster whose job runs or is about to, read fresh from the job store. A start
 * decided but not yet seen is looked up by cluster and batch: a job its idempotency key created
 * is adopted, whichever worker created it.
 *
 * Wakes that report jobs' ends read only those jobs and the starts not yet seen: reading every
 * running job on every end made a wave of N clusters cost N x N job reads (a million for a wave
 * of 1,000, on AWS a million DynamoDB reads). The others keep the state the batch last folded
 * (an absent report changes nothing); the rollout's own poll, every `rollout.pollSeconds` while
 * jobs run, reads them all, so a lost wake delays a decision by one poll at most.
 */
import { clusterFactsOf, isActiveJob, type Job } from '#domain/job.ts';
import { type Batch, type BatchCluster, isRunning } from '#domain/rollout/batch.ts';
import type { JobReport } from '#domain/rollout/rollout-reports.ts';
import { stageSeconds } from '#domain/stage-durations.ts';
import type { JobStore } from '#shared/ports.ts';

export function jobReport(job: Job): JobReport {
  const { plan } = clusterFactsOf(job);
  const hop = plan?.[job.hop];
  const progress =
    plan && plan.length > 0
      ? { hop: { index: job.hop, count: plan.length, ...(hop ? { from: hop.from, to: hop.to } : {}) } }
      : {};
  const ending = isActiveJob(job)
    ? {}
    : { reason: job.reason, finishedAt: job.finishedAt, ...(job.unreachable ? { unreachable: true } : {}) };
  const seconds = stageSeconds(job);
  const learned = Object.keys(seconds).length > 0 ? { stageSeconds: seconds } : {};
  return { cluster: job.cluster, jobId: job.id, state: job.state, ...progress, ...ending, ...learned };
}

/** A cluster whose job may have moved: running, about to, or (cancelled before its start was seen) about to appear. */
function watched(batch: Batch, cluster: BatchCluster): boolean {
  if (isRunning(cluster.state)) return true;
  return (
    cluster.state === 'cancelled' && batch.cancelledAt !== undefined && !cluster.jobId && cluster.attempt > 0
  );
}

/** Jobs read at once. */
const PARALLEL_READS = 32;

export async function gatherJobReports(
  jobs: Pick<JobStore, 'get' | 'list'>,
  batch: Batch,
  endedJobIds?: ReadonlySet<string>,
): Promise<JobReport[]> {
  const clusters = batch.clusters.filter(
    (cluster) =>
      watched(batch, cluster) &&
      (endedJobIds === undefined || cluster.jobId === undefined || endedJobIds.has(cluster.jobId)),
  );
  const reports: JobReport[] = [];
  for (let start = 0; start < clusters.length; start += PARALLEL_READS) {
    const found = await Promise.all(
      clusters.slice(start, start + PARALLEL_READS).map(async (cluster): Promise<Job[]> => {
        if (cluster.jobId) {
          const job = await jobs.get(cluster.jobId);
          return job ? [job] : [];
        }
        return jobs.list({ cluster: cluster.name, batchId: batch.id, limit: 50 });
      }),
    );
    reports.push(...found.flat().map(jobReport));
  }
  return reports;
}
