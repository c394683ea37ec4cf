/**
 * Where a job ends when its stage cannot go on (a permanent error, a passed deadline): `blocked`
 * in the gates, which look at the cluster and change nothing on it, `failed` in the stages after
 * them, which may have changed it. The stage runner asks here for errors and deadlines alike.
 */
import type { StageName } from '#domain/job.ts';

/** The stages that only read the cluster (docs/architecture.md §4: `blocked` means nothing was changed). */
const GATES: ReadonlySet<StageName> = new Set(['validate', 'check-backup']);

export function failureState(stage: StageName): 'blocked' | 'failed' {
  return GATES.has(stage) ? 'blocked' : 'failed';
}
