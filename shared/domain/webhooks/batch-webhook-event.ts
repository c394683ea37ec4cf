/**
 * A batch event as webhook receivers get it: the event's own fields (what was decided, about
 * which wave and clusters, by whom) and a summary of the batch as it is when the event goes out
 * (`data.batch`, possibly a decision or two ahead of the event). A summary, not the whole view:
 * a rollout of thousands of clusters would make every body (stored once per receiver) large;
 * receivers that want the clusters read `GET /batches/{id}`.
 */
import { type Batch, CLUSTER_STATES, type ClusterRolloutState } from '#domain/rollout/batch.ts';
import type { BatchEvent } from '#domain/rollout/batch-events.ts';
import type { WebhookEvent } from './webhook-event.ts';

export interface BatchSummary {
  id: string;
  name?: string;
  targetVersion: string;
  state: Batch['state'];
  reason: string;
  /** Index of the wave in progress (== waves once all are complete). */
  currentWave: number;
  waves: number;
  counts: Record<ClusterRolloutState, number>;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
}

export function batchSummary(batch: Batch): BatchSummary {
  const counts = Object.fromEntries(CLUSTER_STATES.map((state) => [state, 0])) as Record<
    ClusterRolloutState,
    number
  >;
  for (const cluster of batch.clusters) counts[cluster.state] += 1;
  return {
    id: batch.id,
    ...(batch.name === undefined ? {} : { name: batch.name }),
    targetVersion: batch.targetVersion,
    state: batch.state,
    reason: batch.reason,
    currentWave: batch.currentWave,
    waves: batch.waves.length,
    counts,
    createdAt: batch.createdAt,
    updatedAt: batch.updatedAt,
    ...(batch.finishedAt === undefined ? {} : { finishedAt: batch.finishedAt }),
  };
}

/** `webhook-id` is the event id (`<batchId>:<seq>`): the same on every retry and republication. */
export function batchWebhookEvent(event: BatchEvent, batch: Batch): WebhookEvent {
  const { id, at, type, ...fields } = event;
  return { id, type, timestamp: at, data: { ...fields, batch: batchSummary(batch) } };
}
