import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '#domain/errors.ts';
import { createPipeline } from '#test/fakes/pipeline.ts';

async function setUp() {
  const pipeline = createPipeline();
  await pipeline.addCluster('prod-1', { installed: '3.18.2', platformVersion: '4.0.0' });
  const { job } = await pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1' });
  return { pipeline, job };
}

describe('cancelUpgrade', () => {
  it('cancels a queued job at once and emits upgrade.cancelled', async () => {
    // Prepare
    const { pipeline, job } = await setUp();
    // Act
    const cancelled = await pipeline.cancel({ jobId: job.id });
    // Assess
    expect(cancelled).toMatchObject({ state: 'cancelled', version: 2 });
    expect(pipeline.notifier.typesFor(job.id)).toEqual(['upgrade.queued', 'upgrade.cancelled']);
  });

  it('lets the next upgrade of the cluster start once cancelled', async () => {
    // Prepare
    const { pipeline, job } = await setUp();
    await pipeline.cancel({ jobId: job.id });
    // Act
    const next = await pipeline.create({ cluster: 'prod-1', targetVersion: '4.0.3' });
    // Assess
    expect(next.created).toBe(true);
  });

  it('records the request past the point of no return and re-sends the expected message', async () => {
    // Prepare
    const { pipeline, job } = await setUp();
    while ((await pipeline.job(job.id)).state !== 'verifying') await pipeline.deliverNext();
    const { due: _, ...expected } = (await pipeline.job(job.id)).expected ?? {};
    // Act
    const requested = await pipeline.cancel({ jobId: job.id });
    const again = await pipeline.cancel({ jobId: job.id });
    // Assess
    expect(requested).toMatchObject({ state: 'verifying', cancelRequested: true });
    expect(again.version).toBe(requested.version);
    expect(pipeline.queue.peek().map((queued) => queued.message)).toEqual([
      expect.objectContaining({ ...expected }),
      expect.objectContaining({ ...expected }),
      expect.objectContaining({ ...expected }),
    ]);
  });

  it('retries its conditional write when a stage commits first', async () => {
    // Prepare
    const { pipeline, job } = await setUp();
    let raced = false;
    pipeline.jobs.beforeUpdate = () => {
      if (raced) return;
      raced = true;
      throw new ConflictError('version moved on');
    };
    // Act
    const cancelled = await pipeline.cancel({ jobId: job.id });
    // Assess
    expect(cancelled.state).toBe('cancelled');
  });

  it('refuses to cancel a finished job and an unknown one', async () => {
    // Prepare
    const { pipeline, job } = await setUp();
    await pipeline.run();
    // Act / Assess
    await expect(pipeline.cancel({ jobId: job.id })).rejects.toMatchObject({ code: 'JOB_FINISHED' });
    await expect(pipeline.cancel({ jobId: 'missing' })).rejects.toThrow(NotFoundError);
  });
});
