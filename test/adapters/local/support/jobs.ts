import { randomUUID } from 'node:crypto';
import type { Job } from '#domain/job.ts';

/** A queued job as createUpgrade would store it. */
export function queuedJob(overrides: Partial<Job> = {}): Job {
  const now = overrides.createdAt ?? new Date().toISOString();
  return {
    id: randomUUID(),
    cluster: 'region1',
    targetVersion: '4.2.1',
    hop: 0,
    state: 'queued',
    version: 1,
    options: {},
    attempts: {},
    transitions: [],
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}
