import { randomUUID } from 'node:crypto';
import type { UnplannedJob } from '#domain/job.ts';
import { newJob } from '#domain/job-transitions.ts';

export interface QueuedJobOptions {
  cluster?: string;
  createdAt?: string;
  batchId?: string;
  callbackUrl?: string;
  options?: UnplannedJob['options'];
}

/** A queued job as createUpgrade would store it. */
export function queuedJob(input: QueuedJobOptions = {}): UnplannedJob {
  return newJob({
    id: randomUUID(),
    cluster: input.cluster ?? 'region1',
    targetVersion: '4.2.1',
    at: new Date(input.createdAt ?? Date.now()),
    ...(input.options ? { options: input.options } : {}),
    ...(input.callbackUrl ? { callbackUrl: input.callbackUrl } : {}),
    ...(input.batchId ? { batchId: input.batchId } : {}),
  });
}
