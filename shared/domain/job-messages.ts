/**
 * Which stage message may move a job (docs/architecture.md §4). A job expects exactly one message
 * (`job.expected`, its stage, hop, the job version it was sent at and when it is due). Queues
 * deliver at least once, so a handler classifies what it received:
 *
 * - process: the message is the expected one.
 * - reemit / park: the message is the one whose processing made the job's latest stage commit
 *   (`job.causedBy`, same send id). Either the handler crashed between the write and the send
 *   (`expected` was never sent), or the queue delivered that message twice (it was). Nothing in
 *   the job tells the two apart, and re-sending at once on every such copy keeps duplicates
 *   alive: the copy is sent without the wait the commit scheduled, and its own duplicate re-sends
 *   the next one, hop after hop. So it goes by time: `expected` is presumed lost once it is past
 *   due and the job has not been written for `graceSeconds` (the claim lease: no live worker is
 *   silent that long). Then the copy re-sends `expected` (reemit, a fresh id, due already).
 *   Before then it is parked: sent again, same id, to come back at that moment. By then the job
 *   has normally moved on and the parked copy is dropped like any stale message (duplicates die
 *   out after one parking, whatever the wait); after a crash the job has not, and the copy
 *   re-sends `expected`, so the job still progresses.
 *   For a job that has ended there is nothing to send; only its final event is emitted again.
 * - drop: anything else (stale, duplicate, or the job has ended).
 */
import { type ActiveJob, isActiveJob, type Job, type MessageRef } from '#domain/job.ts';

export type MessageDisposition =
  | { action: 'process' }
  /** Re-send `message` (absent when the job has ended) and the latest state-change event. */
  | { action: 'reemit'; message?: MessageRef }
  /** Send the received message again with this delay, and the latest state-change event. */
  | { action: 'park'; delaySeconds: number }
  | { action: 'drop'; why: string };

export interface MessageTiming {
  now: Date;
  /** How long past due, with no write to the job, its expected message is presumed lost. */
  graceSeconds: number;
}

function sameStep(a: MessageRef, b: MessageRef): boolean {
  return a.stage === b.stage && a.hop === b.hop && a.seq === b.seq;
}

/** Ids are compared only when both sides carry one (a queue that drops unknown fields loses them). */
function sameSend(a: MessageRef, b: MessageRef): boolean {
  return sameStep(a, b) && (a.id === undefined || b.id === undefined || a.id === b.id);
}

/** A new send of the job's expected message: its step and a fresh id (the due time stays in the job). */
export function expectedMessage(job: ActiveJob, id: string): MessageRef & { jobId: string } {
  const { stage, hop, seq } = job.expected;
  return { jobId: job.id, stage, hop, seq, id };
}

/** When the job's expected message is presumed lost (ms). */
export function presumedLostAt(job: Job & { expected: MessageRef }, graceSeconds: number): number {
  const written = Date.parse(job.updatedAt);
  const due = job.expected.due === undefined ? written : Date.parse(job.expected.due);
  return Math.max(due, written) + graceSeconds * 1000;
}

export function classifyMessage(job: Job, message: MessageRef, timing: MessageTiming): MessageDisposition {
  if (job.causedBy && sameSend(job.causedBy, message)) {
    if (!isActiveJob(job)) return { action: 'reemit' };
    const lostAt = presumedLostAt(job, timing.graceSeconds);
    if (timing.now.getTime() >= lostAt) return { action: 'reemit', message: job.expected };
    return { action: 'park', delaySeconds: (lostAt - timing.now.getTime()) / 1000 };
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
