/**
 * State-change events (docs/architecture.md §11 `{ type, id, occurredAt, data }`). Event ids are derived
 * from the job and the transition's position, so an event emitted again after a crash carries
 * the same id and receivers dedupe it.
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
