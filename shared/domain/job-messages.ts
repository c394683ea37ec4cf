/**
 * Which stage message may move a job (docs/architecture.md §4). A job expects exactly one message
 * (`job.expected`, its stage, hop and the job version it was sent at). Queues deliver at least
 * once, so a handler classifies what it received:
 *
 * - process: the message is the expected one.
 * - reemit: the message is the one whose processing made the job's latest stage commit
 *   (`job.causedBy`): either the handler crashed between the write and the send, or the queue
 *   delivered that message twice. Sending `expected` again recovers the first case; in the second
 *   the copy carries a fresh id, so whichever of the two is processed second matches neither
 *   `expected` (its seq is behind) nor `causedBy` (its id differs) and is dropped: duplicates die
 *   out after one step instead of echoing down the pipeline.
 *   For a job that has ended there is nothing to send; only its final event is emitted again.
 * - drop: anything else (stale, duplicate, or the job has ended).
 */
import { isActiveJob, type Job, type MessageRef } from '#domain/job.ts';

export type MessageDisposition =
  | { action: 'process' }
  /** Re-send `message` (absent when the job has ended) and the latest state-change event. */
  | { action: 'reemit'; message?: MessageRef }
  | { action: 'drop'; why: string };

function sameStep(a: MessageRef, b: MessageRef): boolean {
  return a.stage === b.stage && a.hop === b.hop && a.seq === b.seq;
}

/** Ids are compared only when both sides carry one (a queue that drops unknown fields loses them). */
function sameSend(a: MessageRef, b: MessageRef): boolean {
  return sameStep(a, b) && (a.id === undefined || b.id === undefined || a.id === b.id);
}

export function classifyMessage(job: Job, message: MessageRef): MessageDisposition {
  if (job.causedBy && sameSend(job.causedBy, message)) {
    return isActiveJob(job) ? { action: 'reemit', message: job.expected } : { action: 'reemit' };
  }
  if (!isActiveJob(job)) return { action: 'drop', why: `job already ${job.state}` };
  const { expected } = job;
  if (sameStep(expected, message)) return { action: 'process' };
  const waitingFor = `${expected.stage} hop ${expected.hop} seq ${expected.seq}`;
  return {
    action: 'drop',
    why: `stale or duplicate: got ${message.stage} hop ${message.hop} seq ${message.seq}, job expects ${waitingFor}`,
  };
}
