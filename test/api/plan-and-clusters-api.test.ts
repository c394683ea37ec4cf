import { describe, expect, it } from 'vitest';
import { errorOf, startApi } from './support/api-server.ts';

describe('GET /plan', () => {
  it('answers the hops of a supported path', async () => {
    const api = await startApi();

    const response = await api.call('GET', '/plan?from=3.16.2&to=4.2.1&platform=4.0.0');

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      from: '3.16.2',
      to: '4.2.1',
      platform: '4.0.0',
      hops: [
        expect.objectContaining({ from: '3.16.2', to: '4.0.3', kind: 'major', csv: 'redis-operator.v4.0.3' }),
        expect.objectContaining({ from: '4.0.3', to: '4.2.1', kind: 'minor' }),
      ],
    });
  });

  it.each([
    ['a malformed version', '/plan?from=banana&to=4.2.1', 400, 'INVALID_VERSION'],
    ['a missing parameter', '/plan?from=4.0.1', 400, 'VALIDATION_FAILED'],
    ['a downgrade', '/plan?from=4.2.1&to=4.0.3', 422, 'DOWNGRADE'],
    ['a blocked target', '/plan?from=4.0.3&to=4.1.0', 422, 'BLOCKED_VERSION'],
    ['an unknown target', '/plan?from=4.0.3&to=4.9.9', 422, 'UNKNOWN_VERSION'],
    ['an unsupported platform', '/plan?from=4.2.1&to=5.1.0&platform=3.16.0', 422, 'PLATFORM_UNSUPPORTED'],
  ])('refuses %s', async (_name, path, status, code) => {
    const api = await startApi();

    const response = await api.call('GET', path);

    expect(response.status).toBe(status);
    expect((await errorOf(response)).code).toBe(code);
  });
});

describe('/clusters', () => {
  it('registers a cluster with 201, replaces it with 200, and lists it', async () => {
    const api = await startApi();

    const created = await api.call('PUT', '/clusters/edge-7', {
      body: { context: 'edge-7', labels: { env: 'dev' } },
    });
    const replaced = await api.call('PUT', '/clusters/edge-7', {
      body: { labels: { env: 'prod' }, platformVersion: '4.1.0' },
    });
    const list = (await (await api.call('GET', '/clusters')).json()) as { items: { name: string }[] };

    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/clusters/edge-7');
    expect(replaced.status).toBe(200);
    expect(await replaced.json()).toEqual({
      name: 'edge-7',
      labels: { env: 'prod' },
      platformVersion: '4.1.0',
    });
    expect(list.items.map((c) => c.name)).toEqual(['edge-7', 'region1', 'region2']);
    expect(await api.clusters.get('edge-7')).toEqual({
      name: 'edge-7',
      labels: { env: 'prod' },
      platformVersion: '4.1.0',
    });
  });

  it.each([
    ['a name that is not a DNS name', '/clusters/Edge_7', { labels: {} }, /^path\.name/],
    ['a label value too long', '/clusters/edge-7', { labels: { env: 'x'.repeat(64) } }, /^body\.labels\.env/],
    ['an unknown field', '/clusters/edge-7', { name: 'other' }, /Unrecognized key: "name"/],
  ])('refuses %s with 400', async (_name, path, body, message) => {
    const api = await startApi();

    const response = await api.call('PUT', path, { body });

    expect(response.status).toBe(400);
    expect((await errorOf(response)).message).toMatch(message);
  });

  it('refuses a platformVersion that is not a version with 400, storing nothing', async () => {
    const api = await startApi();

    const response = await api.call('PUT', '/clusters/edge-7', {
      body: { labels: {}, platformVersion: 'banana' },
    });

    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(/^body\.platformVersion: "banana" is not a semantic version/);
    expect(await api.clusters.get('edge-7')).toBeUndefined();
  });

  it('gets one cluster, and 404 for one not registered', async () => {
    const api = await startApi();

    const found = await api.call('GET', '/clusters/region1');
    const missing = await api.call('GET', '/clusters/nope');

    expect(await found.json()).toMatchObject({ name: 'region1', platformVersion: '3.18.2' });
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe('NOT_FOUND');
  });
});
