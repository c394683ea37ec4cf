/**
 * The record of a batch's decisions: why a wave started, waited or completed, why the batch
 * halted. The types are a closed set, the batch events of the webhooks (issue 13) plus
 * `wave.outside_window`, since a wait for a maintenance window is a decision too. Each event's
 * id is the batch id and its sequence number: the same commit always yields the same ids, so
 * an event log and webhook receivers can drop a repeat.
 */
export const BATCH_EVENT_TYPES = [
  'batch.started',
  'wave.started',
  'wave.baking',
  'wave.completed',
  'wave.awaiting_approval',
  'wave.approved',
  'wave.outside_window',
  'batch.paused',
  'batch.halted',
  'batch.resumed',
  'batch.cancelled',
  'batch.completed',
] as const;
export type BatchEventType = (typeof BATCH_EVENT_TYPES)[number];

export interface BatchEvent {
  /** `<batchId>:<seq>` */
  id: string;
  batchId: string;
  seq: number;
  type: BatchEventType;
  at: string;
  /** The decision in words, naming the clusters it is about. */
  reason: string;
  wave?: number;
  /** Clusters the event is about (the failures of a halt, a wave's clusters). */
  clusters?: string[];
  /** Who issued the command (pause, resume, cancel, approve), when given. */
  by?: string;
}

export type EventDraft = Pick<BatchEvent, 'type' | 'reason'> &
  Partial<Pick<BatchEvent, 'wave' | 'clusters' | 'by'>>;

/** Numbers drafts after `lastSeq` (the batch's `eventSeq` before the decision). */
export function numberEvents(
  batchId: string,
  lastSeq: number,
  at: Date,
  drafts: readonly EventDraft[],
): BatchEvent[] {
  return drafts.map((draft, index) => {
    const seq = lastSeq + index + 1;
    return { id: `${batchId}:${seq}`, batchId, seq, at: at.toISOString(), ...draft };
  });
}
