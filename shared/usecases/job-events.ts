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
