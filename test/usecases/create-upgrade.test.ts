import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '#domain/errors.ts';
import { parseOutboundAllowList } from '#domain/outbound-address.ts';
import type { StageMessage } from '#shared/ports.ts';
import type { AnyJob } from '#test/fakes/jobs.ts';
import { createPipeline, type Pipeline } from '#test/fakes/pipeline.ts';
import { type CreateUpgradeDeps, type CreateUpgradeInput, createUpgrade } from '#usecases/create-upgrade.ts';

async function setUp() {
  const pipeline = createPipeline();
  await pipeline.addCluster('prod-1', { installed: '3.18.2', platformVersion: '4.0.0' });
  return pipeline;
}

/** createUpgrade on the pipeline's ports, with the settings a runtime would pass. */
function createWith(
  pipeline: Pipeline,
  settings: Pick<CreateUpgradeDeps, 'outboundAllow' | 'idempotencyTtlSeconds'>,
  input: CreateUpgradeInput,
) {
  const { jobs, queue, clusters, catalog, clock, notifier, log } = pipeline;
  return createUpgrade({ jobs, queue, clusters, catalog, clock, notifier, log, ...settings }, input);
}

describe('createUpgrade', () => {
  it('creates a queued job, sends the validate message and emits upgrade.queued', async () => {
    // Prepare
    const pipeline = await setUp();
    // Act
    const { job, created } = await pipeline.create({
      cluster: 'prod-1',
      targetVersion: '4.2.1',
      options: { takeBackup: true },
      callbackUrl: 'https://hooks.example/upgrades',
    });
    // Assess
    expect(created).toBe(true);
    expect(job).toMatchObject({
      cluster: 'prod-1',
      targetVersion: '4.2.1',
      state: 'queued',
      version: 1,
      options: { takeBackup: true },
      callbackUrl: 'https://hooks.example/upgrades',
    });
    expect(job.fromVersion).toBeUndefined();
    expect(pipeline.queue.peek()).toEqual([
      // upgrade.queued, to the callback URL, before the message that sets the job going
      expect.objectContaining({ queue: 'webhook-delivery' }),
      {
        queue: 'validate',
        message: { jobId: job.id, stage: 'validate', hop: 0, seq: 1, id: expect.any(String) },
        delaySeconds: 0,
        visibleAt: expect.any(Number),
      },
    ]);
    expect(pipeline.notifier.events).toEqual([
      {
        id: `${job.id}:0`,
        type: 'upgrade.queued',
        occurredAt: job.createdAt,
        data: expect.objectContaining({ jobId: job.id }),
      },
    ]);
  });

  it.each([
    [{ cluster: 'prod-1', targetVersion: 'latest' }, 'INVALID_VERSION', 'not a semantic version'],
    [{ cluster: 'prod-1', targetVersion: '9.9.9' }, 'UNKNOWN_VERSION', 'not in the catalog'],
    [{ cluster: ' ', targetVersion: '4.2.1' }, 'VALIDATION_FAILED', 'cluster must not be empty'],
    [
      { cluster: 'prod-1', targetVersion: '4.2.1', callbackUrl: 'ftp://x' },
      'VALIDATION_FAILED',
      'callbackUrl',
    ],
    [
      { cluster: 'prod-1', targetVersion: '4.2.1', options: { maxBackupAgeSeconds: -5 } },
      'VALIDATION_FAILED',
      'maxBackupAgeSeconds',
    ],
    [
      { cluster: 'prod-1', targetVersion: '4.2.1', options: { takeBackup: true, skipBackupCheck: true } },
      'VALIDATION_FAILED',
      'contradict',
    ],
  ])('refuses %j with %s', async (input, code, message) => {
    // Prepare
    const pipeline = await setUp();
    // Act
    const creating = pipeline.create(input);
    // Assess
    await expect(creating).rejects.toThrow(ValidationError);
    await expect(creating).rejects.toMatchObject({ code, message: expect.stringContaining(message) });
    expect(pipeline.queue.size).toBe(0);
  });

  it.each([
    ['http://127.0.0.1:9000/hook', /^callbackUrl refused: 127\.0\.0\.1 is a loopback address/],
    ['http://0x7f.1/hook', /127\.0\.0\.1 is a loopback address/],
    ['http://[::ffff:169.254.169.254]/latest', /169\.254\.169\.254 is a cloud metadata address/],
    ['http://metadata.google.internal/', /metadata\.google\.internal is a cloud metadata name/],
    ['https://10.1.2.3/hook', /10\.1\.2\.3 is a private address/],
    ['https://deploy:hunter2@hooks.example/', /must not carry credentials/],
  ])('refuses the callbackUrl %s and creates nothing', async (callbackUrl, message) => {
    // Prepare
    const pipeline = await setUp();
    // Act
    const creating = pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1', callbackUrl });
    // Assess
    await expect(creating).rejects.toThrow(ValidationError);
    await expect(creating).rejects.toThrow(message);
    await expect(creating).rejects.not.toThrow(/hunter2/);
    expect(await pipeline.jobs.list({})).toEqual([]);
    expect(pipeline.queue.size).toBe(0);
  });

  it('gives the job what the earlier jobs of its rollout waited, for its first checks', async () => {
    // Prepare
    const pipeline = await setUp();
    const expectedWaits = { 'patch-subscription': 900, verify: 240 };
    // Act
    const { job } = await pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1', expectedWaits });
    // Assess
    expect((await pipeline.jobs.get(job.id))?.expectedWaits).toEqual(expectedWaits);
  });

  it('gives a job its rollout has nothing to tell what the latest upgrades took, from the wait history', async () => {
    // Prepare
    const pipeline = await setUp();
    const at = pipeline.clock.now().toISOString();
    await pipeline.waitHistory.record(0, { seconds: { 'patch-subscription': 900, verify: 240 }, at });
    await pipeline.waitHistory.record(1, { seconds: { 'patch-subscription': 600 }, at });
    // Act
    const { job } = await pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1' });
    // Assess
    expect(job.expectedWaits).toEqual({ 'patch-subscription': 600, verify: 240 });
  });

  it("prefers what its rollout's earlier jobs took to the wait history, stage by stage", async () => {
    // Prepare
    const pipeline = await setUp();
    const at = pipeline.clock.now().toISOString();
    await pipeline.waitHistory.record(0, { seconds: { 'patch-subscription': 900 }, at });
    // Act
    const { job } = await pipeline.create({
      cluster: 'prod-1',
      targetVersion: '4.2.1',
      expectedWaits: { verify: 60 },
    });
    // Assess
    expect(job.expectedWaits).toEqual({ 'patch-subscription': 900, verify: 60 });
  });

  it('starts a job that cannot read the wait history as if none were kept, and says so', async () => {
    // Prepare
    const pipeline = await setUp();
    const { jobs, queue, clusters, catalog, clock, notifier, log } = pipeline;
    const waitHistory = { recent: () => Promise.reject(new Error('table throttled')) };
    // Act
    const { job, created } = await createUpgrade(
      { jobs, queue, clusters, catalog, clock, notifier, log, waitHistory },
      { cluster: 'prod-1', targetVersion: '4.2.1' },
    );
    // Assess
    expect(created).toBe(true);
    expect(job.expectedWaits).toBeUndefined();
    expect(log.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'wait history unreadable; the job polls from the start',
      }),
    );
  });

  it('accepts a callbackUrl the outbound allow-list admits, and keeps it normalized', async () => {
    // Prepare
    const pipeline = await setUp();
    const outboundAllow = parseOutboundAllowList('127.0.0.0/8');
    // Act
    const { job } = await createWith(
      pipeline,
      { outboundAllow },
      { cluster: 'prod-1', targetVersion: '4.2.1', callbackUrl: 'HTTP://0x7f.1:8080/a/../hook' },
    );
    // Assess
    expect(job.callbackUrl).toBe('http://127.0.0.1:8080/hook');
  });

  it('refuses an unknown cluster with NotFoundError', async () => {
    // Prepare
    const pipeline = await setUp();
    // Act
    const creating = pipeline.create({ cluster: 'nowhere', targetVersion: '4.2.1' });
    // Assess
    await expect(creating).rejects.toThrow(NotFoundError);
    await expect(creating).rejects.toThrow('cluster nowhere is not registered');
  });

  it('refuses a second active job for the same cluster', async () => {
    // Prepare
    const pipeline = await setUp();
    await pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1' });
    // Act
    const second = pipeline.create({ cluster: 'prod-1', targetVersion: '4.0.3' });
    // Assess
    await expect(second).rejects.toThrow(ConflictError);
    await expect(second).rejects.toMatchObject({ code: 'ACTIVE_JOB_EXISTS' });
    expect(pipeline.queue.size).toBe(1);
  });

  it.each<[string, Partial<CreateUpgradeInput>]>([
    ['an identical request', {}],
    ['the target spelt with a v', { targetVersion: 'v4.2.1' }],
    [
      'options spelt out at their defaults',
      { options: { skipBackupCheck: false, includePrerelease: false } },
    ],
    ['the callback URL spelt differently', { callbackUrl: 'HTTPS://Hooks.Example:443/x/../up' }],
    ['a later decision of its rollout expecting other waits', { expectedWaits: { verify: 60 } }],
  ])('replays the job of a repeated idempotency key for %s', async (_name, retry) => {
    // Prepare
    const pipeline = await setUp();
    const request = { cluster: 'prod-1', targetVersion: '4.2.1', idempotencyKey: 'k1' };
    const first = await pipeline.create({ ...request, callbackUrl: 'https://hooks.example/up' });
    const validate = pipeline.queue.peek().find((queued) => queued.queue === 'validate');
    await pipeline.stages.validate?.(structuredClone(validate?.message as StageMessage));
    // Act
    const again = await pipeline.create({ ...request, callbackUrl: 'https://hooks.example/up', ...retry });
    // Assess
    expect(again.created).toBe(false);
    expect(again.job.id).toBe(first.job.id);
    expect(pipeline.queue.sent.filter((queued) => queued.message.stage === 'validate')).toHaveLength(1);
    expect(pipeline.notifier.events.filter((event) => event.type === 'upgrade.queued')).toHaveLength(1);
  });

  it.each<[string, Partial<CreateUpgradeInput>, string[]]>([
    ['another cluster', { cluster: 'prod-2' }, ['cluster']],
    ['another target', { targetVersion: '4.0.3' }, ['targetVersion']],
    ['other options', { options: { takeBackup: true } }, ['options']],
    ['an explicit backup age', { options: { maxBackupAgeSeconds: 3600 } }, ['options']],
    ['another callbackUrl', { callbackUrl: 'https://hooks.example/other' }, ['callbackUrl']],
    ['no callbackUrl', { callbackUrl: undefined }, ['callbackUrl']],
  ])('refuses a repeated idempotency key with %s, creating nothing', async (_name, change, differs) => {
    // Prepare
    const pipeline = await setUp();
    await pipeline.addCluster('prod-2', { installed: '3.18.2', platformVersion: '4.0.0' });
    const request = {
      cluster: 'prod-1',
      targetVersion: '4.2.1',
      callbackUrl: 'https://hooks.example/up',
      idempotencyKey: 'k1',
    };
    const first = await pipeline.create(request);
    // Act
    const reused = pipeline.create({ ...request, ...change });
    // Assess
    await expect(reused).rejects.toThrow(ConflictError);
    await expect(reused).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
      message: expect.stringContaining(`job ${first.job.id}`),
      details: { jobId: first.job.id, differs },
    });
    expect(await pipeline.jobs.list({})).toHaveLength(1);
    // The first request's: its upgrade.queued to the callback URL and its validate message.
    expect(pipeline.queue.sent.map((sent) => sent.queue)).toEqual(['webhook-delivery', 'validate']);
  });

  it('forgets an idempotency key after its lifetime: the same key then starts a new job', async () => {
    // Prepare
    const pipeline = await setUp();
    const request = { cluster: 'prod-1', targetVersion: '4.2.1', idempotencyKey: 'k1' };
    const settings = { idempotencyTtlSeconds: 3600 };
    const first = await createWith(pipeline, settings, request);
    await pipeline.run();
    pipeline.clock.set(new Date(Date.parse(first.job.createdAt) + 3599_000));
    const replayed = await createWith(pipeline, settings, { ...request, targetVersion: '4.2.1' });
    pipeline.clock.advance(1);
    // Act
    const renewed = await createWith(pipeline, settings, { ...request, targetVersion: '4.0.3' });
    const replayOfNew = await createWith(pipeline, settings, { ...request, targetVersion: '4.0.3' });
    // Assess
    expect(replayed).toMatchObject({ created: false, job: { id: first.job.id } });
    expect(renewed).toMatchObject({ created: true, job: { targetVersion: '4.0.3' } });
    expect(renewed.job.id).not.toBe(first.job.id);
    expect(replayOfNew).toMatchObject({ created: false, job: { id: renewed.job.id } });
  });

  it('keeps an idempotency key for 24 hours by default', async () => {
    // Prepare
    const pipeline = await setUp();
    const request = { cluster: 'prod-1', targetVersion: '4.2.1', idempotencyKey: 'k1' };
    const first = await pipeline.create(request);
    await pipeline.run();
    pipeline.clock.set(new Date(Date.parse(first.job.createdAt) + (24 * 3600 - 1) * 1000));
    // Act
    const lastSecond = await pipeline.create(request);
    pipeline.clock.advance(1);
    const dayLater = await pipeline.create(request);
    // Assess
    expect(lastSecond.created).toBe(false);
    expect(dayLater.created).toBe(true);
  });

  it('compares a key recorded without a fingerprint (an earlier release) by the job it created', async () => {
    // Prepare: the store answers like one migrated from before fingerprints were kept
    const pipeline = await setUp();
    const request = { cluster: 'prod-1', targetVersion: '4.2.1', idempotencyKey: 'k1' };
    const first = await pipeline.create(request);
    const create = pipeline.jobs.create.bind(pipeline.jobs);
    pipeline.jobs.create = async (job, idempotency) => {
      const outcome = await create(job, idempotency);
      return outcome.created ? outcome : { ...outcome, fingerprint: undefined };
    };
    // Act
    const replayed = await pipeline.create({ ...request, targetVersion: 'v4.2.1' });
    const reused = pipeline.create({ ...request, options: { takeBackup: true } });
    // Assess
    expect(replayed).toMatchObject({ created: false, job: { id: first.job.id } });
    await expect(reused).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('sends the validate message again on a retry after a crash between the insert and the send', async () => {
    // Prepare: the store kept the job, the send never happened
    const pipeline = await setUp();
    pipeline.queue.failNextSend(new Error('queue unavailable'));
    pipeline.jobs.beforeUpdate = () => {
      throw new Error('process died');
    };
    await expect(
      pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1', idempotencyKey: 'k1' }),
    ).rejects.toThrow('queue unavailable');
    pipeline.jobs.beforeUpdate = undefined;
    // Act
    const retried = await pipeline.create({
      cluster: 'prod-1',
      targetVersion: '4.2.1',
      idempotencyKey: 'k1',
    });
    await pipeline.run();
    // Assess
    expect(retried.created).toBe(false);
    expect((await pipeline.job(retried.job.id)).state).toBe('succeeded');
  });

  it('fails a job whose first message cannot be sent, so the cluster is not held forever', async () => {
    // Prepare
    const pipeline = await setUp();
    pipeline.queue.failNextSend(new Error('queue unavailable'));
    // Act
    await expect(pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1' })).rejects.toThrow(
      'queue unavailable',
    );
    const next = await pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1' });
    // Assess
    const [abandoned]: AnyJob[] = await pipeline.jobs.list({ cluster: 'prod-1', state: 'failed' });
    expect(abandoned?.reason).toBe('could not enqueue validation: queue unavailable');
    expect(next.created).toBe(true);
  });
});
