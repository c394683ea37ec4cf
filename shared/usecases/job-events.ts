/**
 * Emitting a job's state-change events (docs/architecture.md §11; the events themselves are
 * derived from the job: #domain/job-event.ts). An event emitted again after a crash carries the
 * same id, so receivers dedupe it.
 */

import type { Job } from '#domain/job.ts';
import { transitionEvent } from '#domain/job-event.ts';
import type { Notifier } from '#shared/ports.ts';

/** Emits the events of every transition `after` has beyond `before` (in order). */
export async function emitTransitions(
  notifier: Notifier,
  before: Job | undefined,
  after: Job,
): Promise<void> {
  const from = before?.transitions.length ?? 0;
  for (let index = from + 1; index <= after.transitions.length; index++) {
    const event = transitionEvent(after, index);
    if (event) await notifier.emit(event, after);
  }
}

/**
 * Emits again the events of the job's latest commit, for the redelivery of the message that made
 * it: every trailing transition stamped with the latest one's time, since a commit stamps all of
 * its transitions (validate's first makes two) with one time. An event emitted twice keeps its id.
 */
export async function emitLatestCommit(notifier: Notifier, job: Job): Promise<void> {
  const latest = job.transitions.at(-1);
  if (!latest) return;
  let first = job.transitions.length - 1;
  while (first > 0 && job.transitions[first - 1]?.at === latest.at) first--;
  await emitTransitions(notifier, { ...job, transitions: job.transitions.slice(0, first) }, job);
}
