/**
 * The push claim of upload-package under crashes, slow pushes and a platform that is down: a claim
 * belongs to a live worker (a lease it renews), a dead worker's claim is taken over as soon as
 * its lease runs out, and failures that may pass are waits that back off.
 */
import { describe, expect, it } from 'vitest';
import { TransientError, UpgraderError } from '#domain/errors.ts';
import { createPipeline, type Pipeline } from '#test/fakes/pipeline.ts';
import type { PipelineConfigInput } from '#usecases/pipeline-config.ts';

async function atUpload(config: PipelineConfigInput = {}) {
  const pipeline = createPipeline({ config });
  const { cluster } = await pipeline.addCluster('prod-1', { installed: '3.18.2', platformVersion: '4.0.0' });
  const job = await pipeline.seedAt('uploading', {
    cluster: 'prod-1',
    from: '3.18.2',
    to: '4.2.1',
    platform: '4.0.0',
  });
  return { pipeline, cluster, job };
}

function uploadStage(pipeline: Pipeline) {
  const handle = pipeline.stages['upload-package'];
  if (!handle) throw new Error('no upload-package stage');
  return handle;
}

const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));

describe('the push claim', () => {
  it('takes over the claim of a worker that died before pushing once its lease ran out, and pushes once', async () => {
    // Prepare: the dead worker committed its claim, then the process died; its message is redelivered
    const { pipeline, job } = await atUpload({ claimLeaseSeconds: 60 });
    const now = pipeline.clock.now();
    const claimed = {
      ...job,
      version: job.version + 1,
      step: {
        claimedAt: now.toISOString(),
        claimId: 'dead-worker',
        leaseUntil: new Date(now.getTime() + 60_000).toISOString(),
        waitingFor: 'pushing redis-operator.stable.ALL.v4.0.3.tgz to cluster prod-1 with violet',
      },
    };
    pipeline.jobs.seed(claimed);
    pipeline.clock.advance(20);

    // Act: the redelivery finds the lease live, defers to its end, then takes over
    await pipeline.deliverNext();
    const deferred = pipeline.queue.peek()[0];
    const held = await pipeline.job(job.id);
    await pipeline.deliverNext();

    // Assess
    expect(deferred?.delaySeconds).toBe(40);
    expect(held.step?.waitingFor).toContain('pushing redis-operator.stable.ALL.v4.0.3.tgz to cluster prod-1');
    expect(pipeline.uploader.pushes).toHaveLength(1);
    expect((await pipeline.job(job.id)).state).toBe('patching');
    expect(pipeline.log.lines.filter((line) => line.level === 'warn').map((line) => line.message)).toContain(
      'taking over an expired claim',
    );
  });

  it('renews its lease while a slow push runs, so a copy delivered meanwhile defers instead of pushing again', async () => {
    // Prepare: a lease of 0.3 s (renewed every 0.1 s) and a push that takes 0.5 s
    const { pipeline, job } = await atUpload({ claimLeaseSeconds: 0.3 });
    let release: () => void = () => undefined;
    const pushing = new Promise<void>((resolve) => {
      release = resolve;
    });
    pipeline.uploader.whilePushing = () => pushing;
    const message = pipeline.queue.take()?.message;
    if (!message) throw new Error('expected the seeded upload message');
    const handle = uploadStage(pipeline);

    // Act: the first copy claims and pushes; time passes beyond the first lease; a second copy arrives
    const first = handle(structuredClone(message));
    for (let tick = 0; tick < 5; tick++) {
      await sleep(100);
      pipeline.clock.advance(0.1);
    }
    const during = await pipeline.job(job.id);
    await handle(structuredClone(message));
    release();
    await first;

    // Assess
    expect(Date.parse(during.step?.leaseUntil ?? '')).toBeGreaterThan(
      Date.parse(during.step?.claimedAt ?? '') + 300,
    );
    expect(during.step?.waitingFor).toMatch(
      /^pushing redis-operator\.stable\.ALL\.v4\.0\.3\.tgz to cluster prod-1/,
    );
    expect(pipeline.uploader.pushes).toHaveLength(1);
    expect(pipeline.queue.peek().map((queued) => queued.message.stage)).toContain('upload-package');
    expect((await pipeline.job(job.id)).state).toBe('patching');
  });

  it('never takes over a claim whose push runs in this process, even when its renewals come late', async () => {
    // Prepare: a lease of 0.3 s; the clock jumps a minute while the push runs, as on a starved machine
    const { pipeline, job } = await atUpload({ claimLeaseSeconds: 0.3 });
    let release: () => void = () => undefined;
    pipeline.uploader.whilePushing = () =>
      new Promise<void>((resolve) => {
        release = resolve;
      });
    const message = pipeline.queue.take()?.message;
    if (!message) throw new Error('expected the seeded upload message');
    const handle = uploadStage(pipeline);

    // Act
    const first = handle(structuredClone(message));
    await sleep(20);
    pipeline.clock.advance(60);
    await handle(structuredClone(message));
    release();
    await first;

    // Assess: the second copy deferred; one push
    expect(pipeline.uploader.pushes).toHaveLength(1);
    expect(pipeline.log.lines.map((line) => line.message)).not.toContain('taking over an expired claim');
    expect((await pipeline.job(job.id)).state).toBe('patching');
  });

  it('keeps its claim when a cancel request is written while an Automatic push runs', async () => {
    // Prepare: on Automatic approval the push is the point of no return, so a cancel only records itself
    const pipeline = createPipeline({ config: { claimLeaseSeconds: 0.3 } });
    await pipeline.addCluster('prod-1', {
      installed: '3.18.2',
      platformVersion: '4.0.0',
      approval: 'Automatic',
    });
    const job = await pipeline.seedAt('uploading', {
      cluster: 'prod-1',
      from: '3.18.2',
      to: '4.2.1',
      platform: '4.0.0',
    });
    let release: () => void = () => undefined;
    pipeline.uploader.whilePushing = () =>
      new Promise<void>((resolve) => {
        release = resolve;
      });
    const message = pipeline.queue.take()?.message;
    if (!message) throw new Error('expected the seeded upload message');

    // Act
    const pushing = uploadStage(pipeline)(structuredClone(message));
    await sleep(50);
    const requested = await pipeline.cancel({ jobId: job.id });
    await sleep(150);
    release();
    await pushing;

    // Assess: the push is recorded and the job goes on to finish the hop before it honours the cancel
    const after = await pipeline.job(job.id);
    expect(requested.cancelRequested).toBe(true);
    expect(after).toMatchObject({ state: 'patching', cancelRequested: true });
    expect(pipeline.uploader.pushes).toHaveLength(1);
  });

  it('backs off on a platform that is down and pushes once it is back', async () => {
    // Prepare
    const { pipeline, job } = await atUpload({ retrySeconds: 10, maxRetrySeconds: 30 });
    for (let i = 0; i < 4; i++) {
      pipeline.uploader.failNext(
        new TransientError('violet push to cluster prod-1 failed: platform answered 503'),
      );
    }

    // Act
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      await pipeline.deliverNext();
      delays.push(pipeline.queue.peek()[0]?.delaySeconds ?? Number.NaN);
    }
    const waiting = await pipeline.job(job.id);
    await pipeline.deliverNext();

    // Assess: 10 s doubling, capped at 30 s; the count shows in what the job waits for
    expect(delays).toEqual([10, 20, 30, 30]);
    expect(waiting.step?.waitingFor).toBe(
      'violet push to cluster prod-1 failed: platform answered 503 (retry 4 in 30s)',
    );
    expect(pipeline.uploader.pushes).toHaveLength(1);
    expect((await pipeline.job(job.id)).state).toBe('patching');
  });

  it('ends the job on a failure that will not pass, with violet’s reason', async () => {
    // Prepare
    const { pipeline, job } = await atUpload();
    pipeline.uploader.failNext(
      new UpgraderError(
        'UPLOAD_FAILED',
        'violet push to cluster prod-1 failed: refused the token (401 Unauthorized)',
      ),
    );
    // Act
    await pipeline.deliverNext();
    // Assess
    expect(await pipeline.job(job.id)).toMatchObject({
      state: 'failed',
      reason: 'violet push to cluster prod-1 failed: refused the token (401 Unauthorized)',
    });
  });
});
