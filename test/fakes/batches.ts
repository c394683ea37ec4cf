import { type Batch, newBatch } from '#domain/rollout/batch.ts';
import { type BatchRequestInput, batchRequestSchema } from '#domain/rollout/batch-request.ts';
import { decide } from '#domain/rollout/decide.ts';
import { planWaves } from '#domain/rollout/wave-plan.ts';

/** A new batch over clusters c00.. (or `clusters`), created at `at`, as createBatch would store it. */
export function testBatch(
  id: string,
  options: { at?: string; clusters?: string[]; strategy?: BatchRequestInput['strategy'] } = {},
): Batch {
  const names = options.clusters ?? ['c00', 'c01', 'c02'];
  const request = batchRequestSchema.parse({
    targetVersion: '4.2.1',
    clusters: names,
    strategy: options.strategy ?? { canary: 1 },
  });
  const fleet = names.map((name) => ({ name, labels: {} }));
  const at = new Date(options.at ?? '2026-03-02T10:00:00.000Z');
  return newBatch({ id, request, waves: planWaves(fleet, request.strategy), at });
}

/** The batch after its first decision (started, canary starting) and that decision's events. */
export function startedBatch(batch: Batch) {
  return decide(batch, new Date(Date.parse(batch.createdAt) + 1000));
}
