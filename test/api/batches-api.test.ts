import { describe, expect, it } from 'vitest';
import type { Batch } from '#domain/rollout/batch.ts';
import type { BatchViewReply, RehearsalReply } from '#shared/http/batch-replies.ts';
import { FakeCluster } from '#test/fakes/cluster.ts';
import { healthyClusterState } from '#test/fakes/cluster-state.ts';
import { jobAt } from '#test/fakes/jobs.ts';
import { errorOf, startApi } from './support/api-server.ts';

const body = { targetVersion: '4.2.1', clusters: ['region1', 'region2'], strategy: { canary: 1 } };

async function created(api: Awaited<ReturnType<typeof startApi>>): Promise<BatchViewReply> {
  const response = await api.call('POST', '/batches', { body });
  expect(response.status).toBe(202);
  return (await response.json()) as BatchViewReply;
}

describe('POST /batches', () => {
  it('creates the batch in waves, answers 202 with its view, and wakes its rollout', async () => {
    // Prepare
    const api = await startApi();
    // Act
    const response = await api.call('POST', '/batches', { body: { ...body, name: 'march' } });
    const batch = (await response.json()) as BatchViewReply;
    // Assess
    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe(`/batches/${batch.id}`);
    expect(batch).toMatchObject({
      name: 'march',
      state: 'running',
      counts: { pending: 2 },
      failures: { counted: 0, tolerated: 0 },
    });
    expect(batch.waves.map((wave) => [wave.label, wave.state, wave.clusters.map((c) => c.name)])).toEqual([
      ['canary', 'pending', ['region1']],
      ['wave 2', 'pending', ['region2']],
    ]);
    expect(batch.eta).toEqual(expect.any(String));
    expect(api.queue.sent.map((s) => [s.queue, s.message])).toEqual([
      ['rollout', { batchId: batch.id, reason: 'created' }],
    ]);
  });

  it('selects clusters by labels', async () => {
    const api = await startApi();

    const response = await api.call('POST', '/batches', {
      body: { targetVersion: '4.2.1', selector: { matchLabels: { env: 'prod' } }, strategy: {} },
    });
    const batch = (await response.json()) as BatchViewReply;

    expect(response.status).toBe(202);
    expect(batch.waves.flatMap((wave) => wave.clusters.map((c) => c.name))).toEqual(['region1']);
  });

  it.each([
    [
      'a failure budget that is no quantity',
      { strategy: { failureBudget: { maxFailed: 'lots' } } },
      'body.strategy.failureBudget.maxFailed',
    ],
    ['a misspelt strategy field', { strategy: { failurebudget: { maxFailed: 1 } } }, 'body.strategy'],
    ['both clusters and a selector', { selector: { matchLabels: { env: 'prod' } } }, 'body.selector'],
    ['a bad target version', { targetVersion: 'latest' }, 'body.targetVersion'],
  ])('refuses %s with 400 naming the field, creating nothing', async (_name, change, field) => {
    const api = await startApi();

    const response = await api.call('POST', '/batches', { body: { ...body, ...change } });
    const error = await errorOf(response);

    expect(response.status).toBe(400);
    expect(error.message.startsWith(field)).toBe(true);
    expect(await api.batches.list({})).toEqual([]);
    expect(api.queue.sent).toEqual([]);
  });

  it('answers 404 naming the clusters that are not registered', async () => {
    const api = await startApi();

    const response = await api.call('POST', '/batches', {
      body: { ...body, clusters: ['region1', 'mars', 'venus'] },
    });
    const error = await errorOf(response);

    expect(response.status).toBe(404);
    expect(error.message).toContain('mars, venus');
    expect(error.details).toEqual({ unknown: ['mars', 'venus'] });
  });

  it('answers 409 naming the clusters with an active job, unless skipBusy', async () => {
    const api = await startApi();
    const at = new Date('2026-03-01T12:00:00.000Z');
    api.jobs.seed(
      jobAt('validating', {
        catalog: api.catalog,
        cluster: 'region2',
        from: '4.0.3',
        to: '4.2.1',
        at,
        id: 'busy-1',
      }),
    );

    const refused = await api.call('POST', '/batches', { body });
    const error = await errorOf(refused);
    const skipping = await api.call('POST', '/batches', {
      body: { ...body, strategy: { canary: 1, skipBusy: true } },
    });

    expect(refused.status).toBe(409);
    expect(error).toMatchObject({
      code: 'CLUSTERS_BUSY',
      details: { busy: { region2: 'upgrade job busy-1 is validating' } },
    });
    expect(error.message).toMatch(/^region2 has an active upgrade job/);
    expect(skipping.status).toBe(202);
    expect(((await skipping.json()) as BatchViewReply).counts).toMatchObject({ pending: 1, skipped: 1 });
  });

  it('replays a retried Idempotency-Key and refuses it for another request with 422', async () => {
    const api = await startApi();
    const headers = { 'idempotency-key': 'rollout-42' };

    const first = (await (await api.call('POST', '/batches', { body, headers })).json()) as BatchViewReply;
    const retry = await api.call('POST', '/batches', { body, headers });
    const other = await api.call('POST', '/batches', { body: { ...body, strategy: { canary: 2 } }, headers });

    expect(retry.status).toBe(202);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(((await retry.json()) as BatchViewReply).id).toBe(first.id);
    expect(other.status).toBe(422);
    expect((await errorOf(other)).code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await api.batches.list({})).toHaveLength(1);
  });

  it('rehearses with dryRun: 200, the clusters read, nothing stored or sent', async () => {
    const api = await startApi();
    const now = new Date('2026-03-01T12:00:00.000Z');
    for (const name of ['region1', 'region2']) {
      api.gateway.add(
        new FakeCluster(name, healthyClusterState({ installed: '4.0.3', platformVersion: '4.0.0', now })),
      );
    }

    const response = await api.call('POST', '/batches', { body: { ...body, dryRun: true } });
    const rehearsal = (await response.json()) as RehearsalReply;

    expect(response.status).toBe(200);
    // region1's record says ACP 3.18.2, which 4.2.1 does not support: the rehearsal says why.
    expect(
      rehearsal.waves.map((wave) => wave.clusters.map((c) => [c.name, c.hops, c.blocked ?? ''])),
    ).toEqual([
      [
        [
          'region1',
          [],
          expect.stringContaining('4.2.1 needs ACP >=4.0.0 <4.4.0 but the cluster runs ACP 3.18.2'),
        ],
      ],
      [['region2', [{ from: '4.0.3', to: '4.2.1' }], '']],
    ]);
    expect(rehearsal.notes).toEqual([expect.stringContaining('every canary would block (region1)')]);
    expect(await api.batches.list({})).toEqual([]);
    expect(api.queue.sent).toEqual([]);
    expect([...api.gateway.clusters.values()].flatMap((cluster) => cluster.writes)).toEqual([]);
  });
});

describe('reading batches', () => {
  it('lists batches newest first, shows one, its events, and its jobs through GET /upgrades?batch=', async () => {
    const api = await startApi();
    const batch = await created(api);
    const at = new Date('2026-03-01T12:00:00.000Z');
    const job = {
      ...jobAt('validating', { catalog: api.catalog, cluster: 'region1', from: '4.0.3', to: '4.2.1', at }),
      batchId: batch.id,
    };
    api.jobs.seed(job);

    const list = (await (await api.call('GET', '/batches')).json()) as {
      items: { id: string; waveCount: number }[];
    };
    const one = await api.call('GET', `/batches/${batch.id}`);
    const events = await api.call('GET', `/batches/${batch.id}/events`);
    const jobs = (await (await api.call('GET', `/upgrades?batch=${batch.id}`)).json()) as {
      items: { id: string }[];
    };
    const missing = await api.call('GET', '/batches/nope');

    expect(list.items.map((item) => [item.id, item.waveCount])).toEqual([[batch.id, 2]]);
    expect(((await one.json()) as BatchViewReply).id).toBe(batch.id);
    expect(await events.json()).toEqual({ items: [] });
    expect(jobs.items.map((item) => item.id)).toEqual([job.id]);
    expect(missing.status).toBe(404);
  });
});

describe('commands', () => {
  it('pauses and resumes, each answering the batch and waking the rollout', async () => {
    const api = await startApi();
    const batch = await created(api);

    const paused = await api.call('POST', `/batches/${batch.id}/pause`, { body: { note: 'freeze' } });
    const resumed = await api.call('POST', `/batches/${batch.id}/resume`);

    expect(paused.status).toBe(202);
    expect(((await paused.json()) as BatchViewReply).state).toBe('paused');
    expect(((await resumed.json()) as BatchViewReply).state).toBe('running');
    expect(api.queue.sent.map((s) => s.message)).toEqual([
      { batchId: batch.id, reason: 'created' },
      { batchId: batch.id, reason: 'pause' },
      { batchId: batch.id, reason: 'resume' },
    ]);
    // The pause is recorded before the batch's start it came with; the resume starts the canary wave.
    expect((await api.batches.events(batch.id)).map((e) => e.type)).toEqual([
      'batch.paused',
      'batch.started',
      'batch.resumed',
      'wave.started',
    ]);
  });

  it('resumes a halted batch only with acceptFailures: true', async () => {
    const api = await startApi();
    const batch = await created(api);
    const stored = (await api.batches.get(batch.id)) as Batch;
    api.batches.seed({
      ...stored,
      state: 'halted',
      halt: { at: stored.createdAt, reason: 'canary failed: region1', clusters: ['region1'] },
    });

    const refused = await api.call('POST', `/batches/${batch.id}/resume`, { body: {} });
    const accepted = await api.call('POST', `/batches/${batch.id}/resume`, {
      body: { acceptFailures: true },
    });

    expect(refused.status).toBe(409);
    expect(await errorOf(refused)).toMatchObject({ code: 'HALTED', details: { failures: ['region1'] } });
    expect(accepted.status).toBe(202);
    expect(((await accepted.json()) as BatchViewReply).acceptances).toMatchObject([
      { clusters: ['region1'] },
    ]);
  });

  it('refuses what cannot apply with 409, a bad body with 400, an unknown batch with 404', async () => {
    const api = await startApi();
    const batch = await created(api);

    const approve = await api.call('POST', `/batches/${batch.id}/approve`, { body: { wave: 1 } });
    const badBody = await api.call('POST', `/batches/${batch.id}/pause`, { body: { reason: 'x' } });
    const unknown = await api.call('POST', '/batches/nope/cancel');
    const cancelled = await api.call('POST', `/batches/${batch.id}/cancel`);
    const afterCancel = await api.call('POST', `/batches/${batch.id}/pause`);

    expect(approve.status).toBe(409);
    expect((await errorOf(approve)).code).toBe('NOT_AWAITING_APPROVAL');
    expect(badBody.status).toBe(400);
    expect((await errorOf(badBody)).message).toMatch(/^body/);
    expect(unknown.status).toBe(404);
    expect(((await cancelled.json()) as BatchViewReply).state).toBe('cancelled');
    expect(afterCancel.status).toBe(409);
    expect((await errorOf(afterCancel)).code).toBe('BATCH_FINISHED');
  });
});
