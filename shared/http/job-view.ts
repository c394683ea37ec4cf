/**
 * What the API shows of a job: everything an operator needs to follow and explain it, without
 * the pipeline's bookkeeping (expected/causedBy messages, claims). Its shape is the contract in
 * api-replies.ts, which the CLI parses replies with.
 */
import type { Job } from '#domain/job.ts';
import type { JobView } from './api-replies.ts';

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
    currentHop: hop
      ? { from: hop.from, to: hop.to, kind: hop.kind, csv: hop.csv, channel: hop.channel }
      : undefined,
    plan: job.plan?.map(({ from, to, kind, csv, channel }) => ({ from, to, kind, csv, channel })),
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
