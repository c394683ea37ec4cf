/**
 * The rollout's own timer (bake end, window opening, retry, poll), kept to one per batch under
 * at-least-once delivery. A queue may deliver a timer twice, and every delivery that is handled
 * re-arms: without a record of which timer is live, copies multiply with each wake.
 *
 * So the batch records its live timer (`batch.timer`: the number it was armed under and when it
 * is due), and a timer message carries the same two. Arming is send-then-commit: the message is
 * sent first, numbered with the version the arming commit will write, and only becomes live when
 * that conditional write on the batch version lands. A timer message is then:
 *
 * - live: its number is the batch's timer. Handling it consumes the timer: the commit that arms
 *   the next one (or clears it) makes every other copy of it stale.
 * - stale: the batch is at or past its number and its timer is another one (consumed, superseded
 *   by an earlier wake, or the commit that would have armed it lost a race): dropped.
 * - ahead: its number is beyond the batch version, so its arming commit has not landed yet
 *   (another process is between its send and its commit) or never will (it died there; the
 *   redelivery of what it was handling arms again). Sent again shortly until it is live or stale;
 *   given up AHEAD_GRACE_SECONDS after it was due.
 *
 * A crash at any line leaves a live timer in flight or the message being handled undelivered:
 * the send precedes the commit that makes it live, so a committed timer was always sent.
 * Messages without `due` (a job's end, a command, a creation, and timers sent before this
 * scheme) are plain wakes: always handled, arming a timer only if none earlier is live.
 */
import type { Batch } from './batch.ts';

export interface Timer {
  /** The batch version the arming commit wrote. */
  seq: number;
  /** When it is due (ISO). */
  at: string;
}

export interface WakeMessage {
  seq?: number;
  /** Set on a timer: when it was due. */
  due?: string;
}

export const AHEAD_GRACE_SECONDS = 300;
/** How long an ahead timer waits before it is looked at again. */
export const AHEAD_RETRY_SECONDS = 2;

export type WakeVerdict =
  | { kind: 'wake' }
  | { kind: 'live' }
  | { kind: 'stale'; why: string }
  | { kind: 'ahead'; giveUp: boolean };

export function classifyWake(batch: Batch, message: WakeMessage, now: Date): WakeVerdict {
  if (message.due === undefined || message.seq === undefined) return { kind: 'wake' };
  if (batch.timer?.seq === message.seq) return { kind: 'live' };
  if (message.seq > batch.version) {
    const giveUp = now.getTime() > Date.parse(message.due) + AHEAD_GRACE_SECONDS * 1000;
    return { kind: 'ahead', giveUp };
  }
  const live = batch.timer ? `timer ${batch.timer.seq} due ${batch.timer.at}` : 'no timer';
  return { kind: 'stale', why: `timer ${message.seq} is not the live one (${live})` };
}

/**
 * The timer to arm after a decision that asks to wake at `wakeAt` (none when absent): undefined
 * when the batch's timer already serves (it is due no later, and still live: not `consumed` by
 * the message being handled), null when the consumed timer is to be cleared.
 */
export function timerToArm(
  batch: Batch,
  wakeAt: string | undefined,
  consumed: boolean,
): Timer | null | undefined {
  const live = consumed ? undefined : batch.timer;
  if (wakeAt === undefined) return consumed && batch.timer ? null : undefined;
  if (live && Date.parse(live.at) <= Date.parse(wakeAt)) return undefined;
  return { seq: batch.version + 1, at: wakeAt };
}
