import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleSite } from '#runtime/console-site.ts';
import { CONSOLE_CSP } from '#shared/http/console-headers.ts';
import { RecordingLog } from '#test/fakes/log.ts';
import { errorShapeOf } from '../api/support/error-shape.ts';
import { standIn } from './support/stand-in.ts';

let dist: string;

beforeAll(async () => {
  dist = await mkdtemp(join(tmpdir(), 'console-dist-'));
  await mkdir(join(dist, 'assets'));
  await writeFile(
    join(dist, 'index.html'),
    '<!doctype html><script type="module" src="/assets/app-1a2b.js"></script>',
  );
  await writeFile(join(dist, 'assets', 'app-1a2b.js'), 'console.log("console")');
  await writeFile(join(dist, 'secret.txt'), 'not part of the console');
});

afterAll(async () => {
  await rm(dist, { recursive: true, force: true });
});

async function serveConsole(root = dist) {
  return standIn(() => ({ statusCode: 200, body: '{"api":true}' }), {
    site: consoleSite(new RecordingLog(), root),
  });
}

/** A raw GET, so paths and conditional headers go out exactly as written (fetch adds no-cache to those). */
function rawGet(
  url: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    request(`${url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
          headers: res.headers,
        }),
      );
    })
      .on('error', reject)
      .end();
  });
}

describe('the console site of serve', () => {
  it('serves the index at / under a CSP that allows this origin only, revalidated on every load', async () => {
    const { url, events } = await serveConsole();

    const response = await fetch(`${url}/`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toMatch(/default-src 'none'.*script-src 'self'.*connect-src 'self'/);
    expect(CONSOLE_CSP).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(await response.text()).toContain('/assets/app-1a2b.js');
    expect(events).toEqual([]);
  });

  it('serves hashed assets cached for good, and answers a conditional GET with 304', async () => {
    const { url } = await serveConsole();

    const first = await rawGet(url, '/assets/app-1a2b.js');
    const again = await rawGet(url, '/assets/app-1a2b.js', { 'if-none-match': String(first.headers.etag) });

    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toMatch(/javascript/);
    expect(first.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(again.status).toBe(304);
  });

  it('leaves every other path and method to the API', async () => {
    const { url, events } = await serveConsole();

    const api = await fetch(`${url}/clusters`);
    const post = await fetch(`${url}/`, { method: 'POST' });
    const outside = await rawGet(url, '/secret.txt');

    expect(await api.json()).toEqual({ api: true });
    expect(post.status).toBe(200);
    expect(outside.body).toBe('{"api":true}');
    expect(events.map((event) => `${event.requestContext.http.method} ${event.rawPath}`)).toEqual([
      'GET /clusters',
      'POST /',
      'GET /secret.txt',
    ]);
  });

  it.each([
    '/assets/..%2F..%2Fetc%2Fpasswd',
    '/assets/..%2Fsecret.txt',
    '/assets/%2e%2e/secret.txt',
    '/assets/a%00.js',
  ])('leaves %s to the API, never serving a file from disk for it', async (path) => {
    const { url, events } = await serveConsole();

    const response = await rawGet(url, path);

    expect(response.body).toBe('{"api":true}');
    expect(events).toHaveLength(1);
  });

  it('refuses an asset it does not have with 404 in the JSON error shape', async () => {
    const { url } = await serveConsole();

    const response = await rawGet(url, '/assets/missing-0000.js');

    expect(response.status).toBe(404);
    expect(errorShapeOf(response.body)).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
  });

  it('says how to build the console when it is not built', async () => {
    const { url } = await serveConsole(join(dist, 'not-built'));

    const response = await fetch(`${url}/`);

    expect(response.status).toBe(404);
    expect(errorShapeOf(await response.text())).toMatchObject({
      code: 'CONSOLE_NOT_BUILT',
      message: 'the web console is not built: run `npm run build:console`',
    });
  });
});
