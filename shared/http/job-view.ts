/**
 * What the API shows of a job: everything an operator needs to follow and explain it, without
 * the pipeline's bookkeeping (expected/causedBy messages, claims). Its shape is the contract in
 * api-replies.ts, which the CLI parses replies with.
 */
import type { Job } from '#domain/job.ts';
import type { Hop } from '#domain/planner.ts';
import type { HopView, JobView } from './api-replies.ts';

export function hopView({ from, to, kind, csv, channel }: Hop): HopView {
  return { from, to, kind, csv, channel };
}

export function jobView(job: Job): JobView {
  const hop = job.plan?.[job.hop];
  return {
    id: job.id,
    cluster: job.cluster,
    state: job.state,
    targetVersion: job.targetVersion,
    fromVersion: job.fromVersion,
    platformVersion: job.platformVersion,
    hop: job.hop,
    currentHop: hop ? hopView(hop) : undefined,
    plan: job.plan?.map(hopView),
    waitingFor: job.step?.waitingFor,
    reason: job.reason,
    cancelRequested: job.cancelRequested,
    options: job.options,
    callbackUrl: job.callbackUrl,
    batchId: job.batchId,
    attempts: job.attempts,
    transitions: job.transitions,
    version: job.version,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    finishedAt: job.finishedAt,
  };
}
