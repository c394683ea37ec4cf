/**
 * A fleet of fake clusters on the fake pipeline, and a batch rolled out over them: the rollout
 * consumer, the stages and notify all built from their rows, driven by draining the queue.
 */

import type { Job } from '#domain/job.ts';
import type { Batch } from '#domain/rollout/batch.ts';
import { type BatchRequestInput, batchRequestSchema } from '#domain/rollout/batch-request.ts';
import type { FakeOlm } from '#test/fakes/olm.ts';
import { createPipeline, type Pipeline, type PipelineOptions } from '#test/fakes/pipeline.ts';

export interface RolloutPipeline extends Pipeline {
  names: string[];
  olmOf(name: string): FakeOlm;
  /** POST /batches with `strategy` over the fleet; returns the stored batch. */
  start(strategy: BatchRequestInput['strategy'], extra?: Partial<BatchRequestInput>): Promise<Batch>;
  batch(id: string): Promise<Batch>;
  /** The jobs of the batch per cluster, oldest first. */
  jobsOf(batchId: string): Promise<Map<string, Job[]>>;
}

export async function rolloutPipeline(
  count: number,
  options: PipelineOptions = {},
): Promise<RolloutPipeline> {
  const pipeline = createPipeline(options);
  const names = Array.from({ length: count }, (_, index) => `c${index + 1}`);
  const olms = new Map<string, FakeOlm>();
  for (const name of names) {
    const { olm } = await pipeline.addCluster(name, { installed: '4.0.3', platformVersion: '4.0.0' });
    olms.set(name, olm);
  }
  return {
    ...pipeline,
    names,
    olmOf(name) {
      const olm = olms.get(name);
      if (!olm) throw new Error(`no cluster ${name}`);
      return olm;
    },
    async start(strategy, extra = {}) {
      const request = batchRequestSchema.parse({
        targetVersion: '4.2.1',
        clusters: names,
        strategy,
        ...extra,
      });
      const result = await pipeline.createBatch(request);
      if (result.dryRun) throw new Error('a dry run creates no batch');
      return result.batch;
    },
    async batch(id) {
      const found = await pipeline.batches.get(id);
      if (!found) throw new Error(`no batch ${id}`);
      return found;
    },
    async jobsOf(batchId) {
      const jobs = (await pipeline.jobs.list({ batchId, limit: 1000 })).reverse();
      return Map.groupBy(jobs, (job) => job.cluster);
    },
  };
}
