import { describe, expect, it } from 'vitest';
import type { JobEvent } from '#domain/job-event.ts';
import type { JobView } from '#shared/http/api-replies.ts';
import { FakeClock } from '#test/fakes/clock.ts';
import { errorOf, startApi } from './support/api-server.ts';

const request = { cluster: 'region1', targetVersion: '4.2.1' };

describe('POST /upgrades', () => {
  it('queues a job, answers 202 with it, and sends the validate message', async () => {
    const api = await startApi();

    const response = await api.call('POST', '/upgrades', {
      body: { ...request, options: { takeBackup: true } },
    });
    const job = (await response.json()) as Record<string, unknown>;

    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe(`/upgrades/${job.id}`);
    expect(job).toMatchObject({
      cluster: 'region1',
      targetVersion: '4.2.1',
      state: 'queued',
      options: { takeBackup: true },
    });
    expect(job).not.toHaveProperty('expected');
    expect(api.queue.sent.map((s) => [s.message.stage, s.message.jobId])).toEqual([['validate', job.id]]);
    expect(api.notifier.typesFor(String(job.id))).toEqual(['upgrade.queued']);
  });

  it('returns the same job for a retried Idempotency-Key, once', async () => {
    const api = await startApi();
    const headers = { 'idempotency-key': 'deploy-42' };

    const first = await api.call('POST', '/upgrades', { body: request, headers });
    const retry = await api.call('POST', '/upgrades', { body: request, headers });
    const firstJob = (await first.json()) as { id: string };
    const retryJob = (await retry.json()) as { id: string };

    expect(retry.status).toBe(202);
    expect(retryJob.id).toBe(firstJob.id);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(await api.jobs.list({})).toHaveLength(1);
  });

  it('replays a retry that spells the target with a v, or the options at their defaults', async () => {
    const api = await startApi();
    const headers = { 'idempotency-key': 'deploy-43' };
    const first = (await (await api.call('POST', '/upgrades', { body: request, headers })).json()) as JobView;

    const retries = await Promise.all([
      api.call('POST', '/upgrades', { body: { ...request, targetVersion: 'v4.2.1' }, headers }),
      api.call('POST', '/upgrades', { body: { ...request, options: { takeBackup: false } }, headers }),
    ]);

    for (const retry of retries) {
      expect(retry.status).toBe(202);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(((await retry.json()) as JobView).id).toBe(first.id);
    }
    expect(await api.jobs.list({})).toHaveLength(1);
  });

  it.each([
    ['another cluster', { cluster: 'region2' }],
    ['another target', { targetVersion: '4.1.2' }],
    ['other options', { options: { takeBackup: true } }],
    ['another callbackUrl', { callbackUrl: 'https://hooks.example/other' }],
  ])('refuses an Idempotency-Key reused with %s with 422, creating nothing', async (_name, change) => {
    const api = await startApi();
    const headers = { 'idempotency-key': 'k1' };
    const body = { ...request, callbackUrl: 'https://hooks.example/up' };
    const first = (await (await api.call('POST', '/upgrades', { body, headers })).json()) as JobView;

    const reused = await api.call('POST', '/upgrades', { body: { ...body, ...change }, headers });
    const error = await errorOf(reused);

    expect(reused.status).toBe(422);
    expect(error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(error.details).toMatchObject({ jobId: first.id });
    expect(await api.jobs.list({})).toHaveLength(1);
    expect(api.queue.sent).toHaveLength(1);
  });

  it('treats an expired Idempotency-Key as never used', async () => {
    const clock = new FakeClock();
    const api = await startApi({ clock, idempotencyTtlSeconds: 600 });
    const headers = { 'idempotency-key': 'nightly' };
    const first = (await (await api.call('POST', '/upgrades', { body: request, headers })).json()) as JobView;
    await api.call('POST', `/upgrades/${first.id}/cancel`);
    clock.advance(600);

    const renewed = await api.call('POST', '/upgrades', {
      body: { ...request, targetVersion: '4.1.2' },
      headers,
    });
    const job = (await renewed.json()) as JobView;

    expect(renewed.status).toBe(202);
    expect(renewed.headers.get('idempotent-replayed')).toBeNull();
    expect(job).toMatchObject({ targetVersion: '4.1.2', state: 'queued' });
    expect(job.id).not.toBe(first.id);
  });

  it('refuses a malformed Idempotency-Key with 400', async () => {
    const api = await startApi();

    const response = await api.call('POST', '/upgrades', {
      body: request,
      headers: { 'idempotency-key': 'has space' },
    });

    expect(response.status).toBe(400);
    expect((await errorOf(response)).message).toMatch(/^header: must be 1-255 printable ASCII/);
  });

  it.each([
    ['a missing field', { cluster: 'region1' }, 'VALIDATION_FAILED', /body\.targetVersion/],
    ['an unknown field', { ...request, force: true }, 'VALIDATION_FAILED', /Unrecognized key: "force"/],
    ['a bad cluster name', { ...request, cluster: 'Region 1' }, 'VALIDATION_FAILED', /body\.cluster/],
    [
      'a non-http callback',
      { ...request, callbackUrl: 'ftp://x/y' },
      'VALIDATION_FAILED',
      /body\.callbackUrl/,
    ],
    [
      'a loopback callback',
      { ...request, callbackUrl: 'http://127.0.0.1:8080/hook' },
      'VALIDATION_FAILED',
      /^callbackUrl refused: 127\.0\.0\.1 is a loopback address/,
    ],
    [
      'a metadata callback spelt in octal',
      { ...request, callbackUrl: 'http://0251.0376.0251.0376/latest/meta-data/' },
      'VALIDATION_FAILED',
      /169\.254\.169\.254 is a cloud metadata address/,
    ],
    [
      'a callback with credentials',
      { ...request, callbackUrl: 'https://ci:hunter2@hooks.example/' },
      'VALIDATION_FAILED',
      /^callbackUrl refused: must not carry credentials \(user:pass@\)/,
    ],
    [
      'a bad option type',
      { ...request, options: { takeBackup: 'yes' } },
      'VALIDATION_FAILED',
      /body\.options\.takeBackup/,
    ],
    [
      'a version that is not semver',
      { ...request, targetVersion: 'latest' },
      'INVALID_VERSION',
      /not a semantic version/,
    ],
    [
      'a version not in the catalog',
      { ...request, targetVersion: '9.9.9' },
      'UNKNOWN_VERSION',
      /not in the catalog/,
    ],
    ['a JSON array', [request], 'VALIDATION_FAILED', /expected object/],
  ])('answers 400 for %s', async (_name, body, code, message) => {
    const api = await startApi();

    const response = await api.call('POST', '/upgrades', { body });
    const error = await errorOf(response);

    expect(response.status).toBe(400);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(api.queue.sent).toEqual([]);
  });

  it('lists every schema issue in details', async () => {
    const api = await startApi();

    const error = await errorOf(await api.call('POST', '/upgrades', { body: {} }));

    expect(error.details?.issues).toEqual([
      { path: 'body.cluster', message: expect.any(String) },
      { path: 'body.targetVersion', message: expect.any(String) },
    ]);
  });

  it('answers 400 for malformed JSON', async () => {
    const api = await startApi();

    const response = await api.call('POST', '/upgrades', {
      body: '{"cluster": ',
      headers: { 'content-type': 'application/json' },
    });

    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('INVALID_JSON');
  });

  it('answers 415 for a body that is not JSON', async () => {
    const api = await startApi();

    const response = await api.call('POST', '/upgrades', {
      body: 'cluster=region1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    expect(response.status).toBe(415);
    expect((await errorOf(response)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 404 for a cluster that is not registered', async () => {
    const api = await startApi();

    const response = await api.call('POST', '/upgrades', { body: { ...request, cluster: 'nowhere' } });

    expect(response.status).toBe(404);
    expect((await errorOf(response)).message).toMatch('PUT /clusters/nowhere');
  });

  it('answers 409 while the cluster has an active job', async () => {
    const api = await startApi();
    const first = (await (await api.call('POST', '/upgrades', { body: request })).json()) as { id: string };

    const second = await api.call('POST', '/upgrades', { body: { ...request, targetVersion: '4.1.2' } });
    const error = await errorOf(second);

    expect(second.status).toBe(409);
    expect(error.code).toBe('ACTIVE_JOB_EXISTS');
    expect(error.details).toMatchObject({ jobId: first.id });
  });
});

describe('reading and cancelling upgrades', () => {
  it('gets a job by id, and 404 for an unknown one', async () => {
    const api = await startApi();
    const created = (await (await api.call('POST', '/upgrades', { body: request })).json()) as { id: string };

    const found = await api.call('GET', `/upgrades/${created.id}`);
    const missing = await api.call('GET', '/upgrades/no-such-job');
    const malformed = await api.call('GET', '/upgrades/%20bad%20');

    expect(found.status).toBe(200);
    expect(await found.json()).toMatchObject({ id: created.id, state: 'queued', transitions: [] });
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe('NOT_FOUND');
    expect(malformed.status).toBe(400);
  });

  it('lists jobs filtered by cluster and state', async () => {
    const api = await startApi();
    await api.call('POST', '/upgrades', { body: request });
    await api.call('POST', '/upgrades', { body: { cluster: 'region2', targetVersion: '4.2.1' } });

    const all = (await (await api.call('GET', '/upgrades')).json()) as { items: { cluster: string }[] };
    const one = (await (await api.call('GET', '/upgrades?cluster=region2&state=queued')).json()) as {
      items: { cluster: string }[];
    };
    const none = (await (await api.call('GET', '/upgrades?state=failed')).json()) as { items: unknown[] };

    expect(all.items.map((j) => j.cluster).sort()).toEqual(['region1', 'region2']);
    expect(one.items.map((j) => j.cluster)).toEqual(['region2']);
    expect(none.items).toEqual([]);
  });

  it.each([
    ['an unknown state', '/upgrades?state=done'],
    ['an unknown parameter', '/upgrades?stat=failed'],
    ['a limit out of range', '/upgrades?limit=0'],
  ])('answers 400 for %s', async (_name, path) => {
    const api = await startApi();

    const response = await api.call('GET', path);

    expect(response.status).toBe(400);
    expect((await errorOf(response)).message).toMatch(/^query/);
  });

  it('cancels a queued job with 202; 409 once it has ended, 404 for an unknown one', async () => {
    const api = await startApi();
    const created = (await (await api.call('POST', '/upgrades', { body: request })).json()) as { id: string };
    const other = (await (
      await api.call('POST', '/upgrades', { body: { ...request, cluster: 'region2' } })
    ).json()) as {
      id: string;
    };

    const cancelled = await api.call('POST', `/upgrades/${created.id}/cancel`, {
      body: { note: 'change freeze' },
    });
    const again = await api.call('POST', `/upgrades/${created.id}/cancel`);
    const bare = await api.call('POST', `/upgrades/${other.id}/cancel`);
    const missing = await api.call('POST', '/upgrades/nope/cancel');

    expect(cancelled.status).toBe(202);
    expect(await cancelled.json()).toMatchObject({
      id: created.id,
      state: 'cancelled',
      reason: expect.stringMatching('change freeze'),
    });
    expect(again.status).toBe(409);
    expect((await errorOf(again)).code).toBe('JOB_FINISHED');
    expect(bare.status).toBe(202);
    expect(missing.status).toBe(404);
  });

  it('lists a job’s events from its history: its creation and each state it entered; 404 for an unknown job', async () => {
    const api = await startApi();
    const created = (await (await api.call('POST', '/upgrades', { body: request })).json()) as { id: string };
    await api.call('POST', `/upgrades/${created.id}/cancel`, { body: { note: 'change freeze' } });

    const response = await api.call('GET', `/upgrades/${created.id}/events`);
    const missing = await api.call('GET', '/upgrades/nope/events');

    expect(response.status).toBe(200);
    const { items } = (await response.json()) as { items: JobEvent[] };
    expect(items.map((event) => [event.id, event.type])).toEqual([
      [`${created.id}:0`, 'upgrade.queued'],
      [`${created.id}:1`, 'upgrade.cancelled'],
    ]);
    expect(items[1]?.data).toMatchObject({
      jobId: created.id,
      cluster: request.cluster,
      state: 'cancelled',
      previousState: 'queued',
      reason: expect.stringMatching('change freeze'),
    });
    expect(missing.status).toBe(404);
  });
});
