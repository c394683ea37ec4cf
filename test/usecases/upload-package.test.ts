import { describe, expect, it } from 'vitest';
import type { Approval } from '#domain/cluster-views.ts';
import { TransientError } from '#domain/errors.ts';
import type { StageSeconds } from '#domain/job.ts';
import { createPipeline, type Pipeline } from '#test/fakes/pipeline.ts';
import type { PipelineConfigInput } from '#usecases/pipeline-config.ts';

const URL_403 = 'https://packages.example.invalid/alauda/redis-operator/redis-operator.stable.ALL.v4.0.3.tgz';

async function atUpload(
  pipeline: Pipeline,
  cluster: string,
  approval: Approval = 'Manual',
  expectedWaits?: StageSeconds,
) {
  const added = await pipeline.addCluster(cluster, {
    installed: '3.18.2',
    platformVersion: '4.0.0',
    approval,
  });
  const job = await pipeline.seedAt('uploading', {
    cluster,
    from: '3.18.2',
    to: '4.2.1',
    platform: '4.0.0',
    ...(expectedWaits ? { expectedWaits } : {}),
  });
  return { ...added, job };
}

async function setUp(config: PipelineConfigInput = {}, approval: Approval = 'Manual') {
  const pipeline = createPipeline({ config });
  return { pipeline, ...(await atUpload(pipeline, 'prod-1', approval)) };
}

describe('upload-package stage', () => {
  it('downloads the package once, pushes it, and moves on when the ArtifactVersion reports Success', async () => {
    // Prepare
    const { pipeline, job } = await setUp();
    // Act
    await pipeline.deliverNext();
    // Assess
    const after = await pipeline.job(job.id);
    expect(after.state).toBe('patching');
    expect(after.transitions.at(-1)?.reason).toBe(
      'package 4.0.3 is on the cluster (ArtifactVersion redis-operator.v4.0.3 reports Success)',
    );
    expect(pipeline.downloader.downloads).toEqual([URL_403]);
    expect(pipeline.artifacts.keys()).toEqual(['redis-operator/4.0.3/redis-operator.stable.ALL.v4.0.3.tgz']);
    expect(pipeline.uploader.pushes).toEqual([
      {
        file: '/fake-artifacts/redis-operator/4.0.3/redis-operator.stable.ALL.v4.0.3.tgz',
        cluster: 'prod-1',
      },
    ]);
  });

  it.each([
    { case: 'pushed it', before: undefined, pushes: 1, delaySeconds: 900 },
    { case: 'found it there already', before: 'Success', pushes: 0, delaySeconds: 0 },
  ])('puts off the first catalog look by what earlier upgrades took only when it $case', async (row) => {
    // Prepare
    const pipeline = createPipeline();
    const { cluster, job } = await atUpload(pipeline, 'prod-1', 'Manual', { 'patch-subscription': 900 });
    if (row.before) cluster.state.artifactVersions['redis-operator.v4.0.3'] = row.before;
    // Act
    await pipeline.deliverNext();
    // Assess
    expect((await pipeline.job(job.id)).state).toBe('patching');
    expect(pipeline.uploader.pushes).toHaveLength(row.pushes);
    expect(pipeline.queue.peek()[0]).toMatchObject({
      queue: 'patch-subscription',
      delaySeconds: row.delaySeconds,
    });
  });

  it('fails the job on a checksum mismatch, keeping and pushing nothing', async () => {
    // Prepare
    const { pipeline, job } = await setUp();
    pipeline.downloader.serve(URL_403, 'tampered bytes');
    // Act
    await pipeline.deliverNext();
    // Assess
    const after = await pipeline.job(job.id);
    expect(after.state).toBe('failed');
    expect(after.reason).toMatch(
      /^package https:.*v4\.0\.3\.tgz failed its sha256 check \(catalog: [0-9a-f]{64}\); nothing was kept or pushed/,
    );
    expect(pipeline.artifacts.keys()).toEqual([]);
    expect(pipeline.uploader.pushes).toEqual([]);
    expect(pipeline.queue.size).toBe(0);
  });

  it('downloads a version once for two clusters, one after the other', async () => {
    // Prepare
    const { pipeline } = await setUp();
    await atUpload(pipeline, 'prod-2');
    // Act
    await pipeline.deliverNext();
    await pipeline.deliverNext();
    // Assess
    expect(pipeline.downloader.downloads).toEqual([URL_403]);
    expect(pipeline.uploader.pushes.map((push) => push.cluster)).toEqual(['prod-1', 'prod-2']);
  });

  it('downloads a version once for two clusters at the same time', async () => {
    // Prepare
    const { pipeline, job } = await setUp();
    const second = await atUpload(pipeline, 'prod-2');
    pipeline.downloader.stallMs = 20;
    const handler = pipeline.stages['upload-package'];
    const [a, b] = [pipeline.queue.take(), pipeline.queue.take()];
    // Act
    await Promise.all([handler?.(a?.message ?? never()), handler?.(b?.message ?? never())]);
    // Assess
    expect(pipeline.downloader.downloads).toEqual([URL_403]);
    expect(pipeline.artifacts.bodiesRead).toBe(1);
    expect((await pipeline.job(job.id)).state).toBe('patching');
    expect((await pipeline.job(second.job.id)).state).toBe('patching');
  });

  it('pushes once when the message is delivered twice in a row', async () => {
    // Prepare
    const { pipeline, job } = await setUp();
    // Act
    await pipeline.deliverNext(2);
    // Assess
    expect(pipeline.uploader.pushes).toHaveLength(1);
    expect((await pipeline.job(job.id)).state).toBe('patching');
  });

  it('pushes once when two copies of the message run at the same time', async () => {
    // Prepare
    const { pipeline, job } = await setUp();
    pipeline.downloader.stallMs = 10;
    const queued = pipeline.queue.take();
    const handler = pipeline.stages['upload-package'];
    // Act
    await Promise.all([
      handler?.(structuredClone(queued?.message ?? never())),
      handler?.(structuredClone(queued?.message ?? never())),
    ]);
    // Assess
    expect(pipeline.uploader.pushes).toHaveLength(1);
    expect((await pipeline.job(job.id)).state).toBe('patching');
  });

  it('neither downloads nor pushes a package the cluster already has', async () => {
    // Prepare
    const { pipeline, cluster, job } = await setUp();
    cluster.state.artifactVersions['redis-operator.v4.0.3'] = 'Success';
    // Act
    await pipeline.deliverNext();
    // Assess
    expect((await pipeline.job(job.id)).state).toBe('patching');
    expect(pipeline.downloader.downloads).toEqual([]);
    expect(pipeline.uploader.pushes).toEqual([]);
  });

  it('on an Automatic subscription, marks the point of no return before pushing', async () => {
    // Prepare
    const { pipeline, job } = await setUp({}, 'Automatic');
    const versionsAtPush: (number | undefined)[] = [];
    const react = pipeline.uploader.onPush;
    pipeline.uploader.onPush = (push) => {
      versionsAtPush.push(pipeline.jobs.updates.at(-1)?.noReturnHop);
      react?.(push);
    };
    // Act
    await pipeline.deliverNext();
    // Assess
    expect(versionsAtPush).toEqual([0]);
    expect((await pipeline.job(job.id)).noReturnHop).toBe(0);
  });

  it('releases its claim when the push fails, and pushes again on the retry', async () => {
    // Prepare
    const { pipeline, job } = await setUp({ retrySeconds: 45 });
    pipeline.uploader.failNext(new TransientError('violet push: registry timed out'));
    // Act
    await pipeline.deliverNext();
    const waiting = await pipeline.job(job.id);
    const retry = pipeline.queue.peek()[0];
    await pipeline.deliverNext();
    // Assess
    expect(waiting.step).toEqual({
      waitingFor: 'violet push: registry timed out (retry 1 in 45s)',
      retries: 1,
    });
    expect(retry?.delaySeconds).toBe(45);
    expect(pipeline.uploader.pushes).toHaveLength(1);
    expect((await pipeline.job(job.id)).state).toBe('patching');
  });

  it('waits for the ArtifactVersion and fails at the deadline with what it reported', async () => {
    // Prepare
    const { pipeline, cluster, job } = await setUp({
      stageDeadlinesSeconds: { 'upload-package': 300 },
      pollSeconds: { 'upload-package': 60 },
    });
    pipeline.uploader.onPush = () => {
      cluster.state.artifactVersions['redis-operator.v4.0.3'] = 'ImagePushFailed';
    };
    // Act
    await pipeline.run();
    // Assess
    const after = await pipeline.job(job.id);
    expect(after.state).toBe('failed');
    expect(after.reason).toBe(
      'upload-package gave up after 5m: ArtifactVersion redis-operator.v4.0.3 reports ImagePushFailed; waiting for Success',
    );
    expect(pipeline.uploader.pushes).toHaveLength(1);
  });

  it('defers, writing nothing, while another worker holds a live claim on the push', async () => {
    // Prepare
    const { pipeline, job } = await setUp({ claimLeaseSeconds: 600 });
    const claimed = {
      ...job,
      version: job.version + 1,
      step: { claimedAt: pipeline.clock.now().toISOString() },
    };
    pipeline.jobs.seed(claimed);
    pipeline.clock.advance(100);
    // Act
    await pipeline.deliverNext();
    // Assess
    expect(await pipeline.job(job.id)).toEqual(claimed);
    expect(pipeline.uploader.pushes).toEqual([]);
    expect(pipeline.queue.peek()).toEqual([
      expect.objectContaining({ delaySeconds: 500, message: expect.objectContaining({ seq: job.version }) }),
    ]);
  });
});

function never(): never {
  throw new Error('expected a queued message');
}
