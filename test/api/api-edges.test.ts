import { describe, expect, it } from 'vitest';
import { errorOf, startApi, TOKEN } from './support/api-server.ts';

describe('authentication', () => {
  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { authorization: 'Bearer not-the-token' }],
    ['a token prefix', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
    ['another scheme', { authorization: `Basic ${TOKEN}` }],
  ])('answers 401 for %s', async (_name, headers) => {
    const api = await startApi();

    const response = await api.call('GET', '/upgrades', { headers: { authorization: '', ...headers } });

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(await errorOf(response)).toEqual({
      code: 'UNAUTHORIZED',
      message: 'missing or invalid bearer token',
    });
  });

  it('checks the token before looking at the body', async () => {
    const api = await startApi();

    const response = await api.call('POST', '/upgrades', {
      body: 'not json',
      headers: { authorization: 'Bearer x' },
    });

    expect(response.status).toBe(401);
  });

  it('accepts the scheme in any case and leaves /healthz public', async () => {
    const api = await startApi();

    const lower = await api.call('GET', '/clusters', { headers: { authorization: `bearer ${TOKEN}` } });
    const health = await fetch(`${api.url}/healthz`);

    expect(lower.status).toBe(200);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
  });
});

describe('routing', () => {
  it('answers 404 in the error shape for an unknown route', async () => {
    const api = await startApi();

    const response = await api.call('GET', '/upgradez');

    expect(response.status).toBe(404);
    expect(await errorOf(response)).toMatchObject({
      code: 'ROUTE_NOT_FOUND',
      message: 'no such endpoint: GET /upgradez',
    });
  });

  it.each([
    ['DELETE', '/upgrades', 'GET, POST'],
    ['PATCH', '/upgrades/abc', 'GET'],
    ['GET', '/upgrades/abc/cancel', 'POST'],
    ['POST', '/healthz', 'GET'],
    ['DELETE', '/clusters/region1', 'GET, PUT'],
  ])('answers 405 with Allow for %s %s', async (method, path, allow) => {
    const api = await startApi();

    const response = await api.call(method, path);

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')?.split(', ').sort().join(', ')).toBe(allow);
    expect((await errorOf(response)).code).toBe('METHOD_NOT_ALLOWED');
  });

  it('accepts a trailing slash', async () => {
    const api = await startApi();

    expect((await api.call('GET', '/clusters/')).status).toBe(200);
  });
});

describe('body limits', () => {
  it('answers 413 from the handler for a body over its limit', async () => {
    const api = await startApi({}, { handlerBodyBytes: 2048 });

    const response = await api.call('POST', '/upgrades', {
      body: { cluster: 'region1', targetVersion: 'x'.repeat(4000) },
    });

    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 413 from the server for a body over 1 MiB without calling the handler', async () => {
    const api = await startApi({}, { handlerBodyBytes: 4 * 1024 * 1024 });

    const response = await api.call('PUT', '/clusters/region9', {
      body: JSON.stringify({ labels: { a: 'b'.repeat(1024 * 1024) } }),
      headers: { 'content-type': 'application/json' },
    });

    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe('PAYLOAD_TOO_LARGE');
    expect(await api.clusters.get('region9')).toBeUndefined();
  });
});

describe('failures inside the API', () => {
  it('answers 500 with only a request id, never the cause', async () => {
    const api = await startApi();
    api.jobs.list = async () => {
      throw new Error('SQLITE_CORRUPT: database disk image is malformed at /var/lib/secret/path');
    };

    const response = await api.call('GET', '/upgrades');
    const text = await response.text();
    const requestId = response.headers.get('x-request-id');

    expect(response.status).toBe(500);
    expect(JSON.parse(text)).toEqual({
      error: {
        code: 'INTERNAL',
        message: `internal error (request id ${requestId})`,
        details: { requestId },
      },
    });
    expect(text).not.toMatch(/SQLITE|secret|at \//);
    expect(
      api.log.lines.some((line) => line.level === 'error' && line.attributes.requestId === requestId),
    ).toBe(true);
  });

  it('answers 503 with Retry-After when a dependency is unavailable', async () => {
    const { TransientError } = await import('#domain/errors.ts');
    const api = await startApi();
    api.jobs.get = async () => {
      throw new TransientError('job table throttled');
    };

    const response = await api.call('GET', '/upgrades/abc');

    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect((await errorOf(response)).code).toBe('TRANSIENT');
  });

  it('sends security headers and no caching on every answer, errors included', async () => {
    const api = await startApi();

    const ok = await api.call('GET', '/clusters');
    const error = await api.call('GET', '/nowhere');

    for (const response of [ok, error]) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('strict-transport-security')).toMatch(/max-age=/);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('x-powered-by')).toBeNull();
    }
  });
});
