/**
 * What the API shows of a job: everything an operator needs to follow and explain it, without
 * the pipeline's bookkeeping (expected/causedBy messages, claims). Its shape is the contract in
 * api-replies.ts, which the CLI parses replies with.
 */
import { clusterFactsOf, isActiveJob, type Job } from '#domain/job.ts';
import { attemptsByStageAndHop } from '#domain/job-progress.ts';
import type { Hop } from '#domain/planner.ts';
import type { HopView, JobView } from './api-replies.ts';

export function hopView({ from, to, kind, csv, channel }: Hop): HopView {
  return { from, to, kind, csv, channel };
}

export function jobView(job: Job): JobView {
  const { fromVersion, platformVersion, plan } = clusterFactsOf(job);
  const hop = plan?.[job.hop];
  const ended = isActiveJob(job) ? undefined : job;
  return {
    id: job.id,
    cluster: job.cluster,
    state: job.state,
    targetVersion: job.targetVersion,
    fromVersion,
    platformVersion,
    hop: job.hop,
    currentHop: hop ? hopView(hop) : undefined,
    plan: plan?.map(hopView),
    waitingFor: isActiveJob(job) ? job.step?.waitingFor : undefined,
    reason: ended?.reason,
    unreachable: ended?.unreachable,
    cancelRequested: job.cancelRequested,
    options: job.options,
    callbackUrl: job.callbackUrl,
    batchId: job.batchId,
    attempts: attemptsByStageAndHop(job.attempts),
    transitions: job.transitions,
    version: job.version,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    finishedAt: ended?.finishedAt,
  };
}
