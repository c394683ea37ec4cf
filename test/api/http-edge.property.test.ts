/**
 * The HTTP edge under hostile traffic: the real API handler (over in-memory fakes) behind the
 * real server. fast-check generates requests an HTTP client can send (odd methods, odd and
 * encoded paths, query strings, headers, junk bodies, wrong content types, with and without
 * the token); raw sockets send what no client library would. No answer may be a 5xx or an
 * error outside the contract's shape, nothing may be logged as an error, and the server must
 * answer its health check afterwards.
 */
import { request } from 'node:http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startApi, TOKEN } from './support/api-server.ts';
import { errorShapeOf } from './support/error-shape.ts';
import { MALFORMED_TARGETS, PARSER_REFUSALS } from './support/hostile-requests.ts';
import { head, rawExchange } from './support/raw-http.ts';

interface Generated {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

const METHODS = [
  ...['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE'],
  ...['PROPFIND', 'PURGE', 'SEARCH', 'QUERY', 'M-SEARCH', 'MKCOL', 'BREW', 'post'],
];

const ROUTES = [
  ...['/', '/healthz', '//healthz', '/upgrades', '/upgrades/', '/upgrades/job-1', '/upgrades/job-1/cancel'],
  ...['/upgrades/job-1/events', '/plan', '/clusters', '/clusters/region1', '/clusters/region%201'],
];

/** Pieces an HTTP client lets through in a path: encodings, bad escapes, delimiters, raw bytes. */
const PIECES = [
  ...['a', 'region1', '%', '%zz', '%00', '%2F', '%2e%2e', '%C3%A9', '..', '.', '~', '@', ':', ';', ','],
  ...['=', '*', '!', '$', "'", '(', ')', '[', ']', '\\', '"', '<', '>', '^', '`', '{', '|', '}', '#'],
  ...['&', '+', '\x7f', '\xe9', '\xff'],
];

const segment = fc.array(fc.constantFrom(...PIECES), { maxLength: 4 }).map((pieces) => pieces.join(''));

const query = fc
  .array(
    fc.tuple(
      fc.constantFrom('cluster', 'state', 'limit', 'from', 'to', 'platform', 'batch', 'x', ''),
      fc.oneof(segment, fc.constantFrom('region1', 'failed', '4.0.3', 'v4.1.2', '-1', '1e999', 'banana')),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => pairs.map(([key, value]) => `${key}=${value}`).join('&'));

const path = fc
  .tuple(fc.constantFrom(...ROUTES), fc.array(segment, { maxLength: 3 }), fc.option(query))
  .map(
    ([route, extra, search]) =>
      `${route}${extra.map((s) => `/${s}`).join('')}${search === null ? '' : `?${search}`}`,
  );

/** Headers that change the framing of the exchange itself; the raw cases cover those. */
const FRAMING = new Set([
  'content-length',
  'transfer-encoding',
  'host',
  'connection',
  'expect',
  'upgrade',
  'te',
]);

const headers = fc
  .record(
    {
      authorization: fc.constantFrom(
        `Bearer ${TOKEN}`,
        `bearer ${TOKEN}`,
        'Bearer nope',
        'Basic abc',
        'Bearer',
        '',
      ),
      'content-type': fc.constantFrom(
        ...['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/jsonp'],
        ...['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', ''],
      ),
      'idempotency-key': fc.stringMatching(/^[\x21-\x7e]{0,80}$/),
      extra: fc.dictionary(
        fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/).filter((name) => !FRAMING.has(name.toLowerCase())),
        fc.stringMatching(/^[\t\x20-\x7e\x80-\xff]{0,40}$/),
        { maxKeys: 4 },
      ),
    },
    { requiredKeys: [] },
  )
  .map(({ extra, ...named }) => ({ ...extra, ...named }));

const upgradeBody = fc.record(
  {
    cluster: fc.constantFrom('region1', 'region2', 'nowhere', '', '../etc'),
    targetVersion: fc.constantFrom('4.1.2', 'v4.1.2', '4.0.3', '9.9.9', 'banana', ''),
    callbackUrl: fc.constantFrom('https://hooks.example/x', 'not a url', 'http://169.254.169.254/'),
    options: fc.object({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);

const body = fc.option(
  fc.oneof(
    upgradeBody.map((value) => Buffer.from(JSON.stringify(value))),
    fc.json().map((text) => Buffer.from(text)),
    fc.string({ maxLength: 200 }).map((text) => Buffer.from(text)),
    fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  ),
  { nil: undefined },
);

const generated: fc.Arbitrary<Generated> = fc.record({
  method: fc.constantFrom(...METHODS),
  path,
  headers,
  body,
});

/** node:http rather than fetch: it sends the path as given and lets any method token through. */
function send(url: string, sent: Generated): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: hostname, port, method: sent.method, path: sent.path, headers: sent.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(sent.body);
  });
}

describe('the HTTP edge under generated requests', () => {
  it('answers every request below 500, errors in the JSON shape, and stays healthy', async () => {
    // Prepare
    const api = await startApi();
    // Act, with each answer assessed as it comes
    await fc.assert(
      fc.asyncProperty(generated, async (sent) => {
        const response = await send(api.url, sent);
        expect(response.status).toBeLessThan(500);
        if (response.status >= 400 && sent.method.toUpperCase() !== 'HEAD') errorShapeOf(response.body);
      }),
      { numRuns: 500 },
    );
    // Assess
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    expect(api.log.lines.filter((line) => line.level === 'error')).toEqual([]);
  });
});

describe('the HTTP edge under raw requests', () => {
  it.each([...MALFORMED_TARGETS, ...PARSER_REFUSALS])(
    'answers $name with $status $code, token or not, and stays healthy',
    async ({ bytes, status, code }) => {
      // Prepare
      const api = await startApi();
      const withToken = bytes.replace('\r\n', `\r\nAuthorization: Bearer ${TOKEN}\r\n`);
      // Act
      const answers = [await rawExchange(api.url, [bytes]), await rawExchange(api.url, [withToken])];
      const health = await fetch(`${api.url}/healthz`);
      // Assess
      for (const answer of answers) {
        expect(answer.status).toBe(status);
        expect(errorShapeOf(answer.body).code).toBe(code);
      }
      expect(health.status).toBe(200);
      expect(api.log.lines.filter((line) => line.level === 'error')).toEqual([]);
    },
  );

  it('reads //healthz as a path (404), not as a host name', async () => {
    // Prepare
    const api = await startApi();
    // Act
    const response = await rawExchange(api.url, [head('GET //healthz HTTP/1.1')]);
    // Assess
    expect(response.status).toBe(404);
    expect(errorShapeOf(response.body)).toEqual({
      code: 'ROUTE_NOT_FOUND',
      message: 'no such endpoint: GET //healthz',
    });
  });

  it('serves an absolute-form target by its path', async () => {
    // Prepare
    const api = await startApi();
    // Act
    const response = await rawExchange(api.url, [head('GET http://api.example/healthz HTTP/1.1')]);
    // Assess
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 'ok' });
  });
});
