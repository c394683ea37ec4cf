import { request } from 'node:http';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { standIn as serve } from './support/stand-in.ts';

/** A raw request, so repeated headers and cookies go out exactly as written. */
function raw(
  url: string,
  path: string,
  headers: Record<string, string | string[]>,
  body?: Buffer,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: body ? 'POST' : 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the local API Gateway stand-in', () => {
  it('builds an HTTP API v2 event: lower-cased headers, joined repeats, cookies, query', async () => {
    const { url, events } = await serve(() => ({ statusCode: 204 }));

    await raw(url, '/upgrades/a%20b?state=failed&cluster=a&cluster=b&flag', {
      'X-Trace': ['one', 'two'],
      Cookie: 'a=1; b=2',
      'User-Agent': 'probe/1',
    });

    expect(events[0]).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/upgrades/a%20b',
      rawQueryString: 'state=failed&cluster=a&cluster=b&flag',
      cookies: ['a=1', 'b=2'],
      queryStringParameters: { state: 'failed', cluster: 'a,b', flag: '' },
      isBase64Encoded: false,
      requestContext: {
        http: { method: 'GET', path: '/upgrades/a%20b', protocol: 'HTTP/1.1', userAgent: 'probe/1' },
        stage: '$default',
        requestId: expect.any(String),
      },
    });
    expect(events[0]?.headers['x-trace']).toBe('one,two');
    expect(events[0]?.headers).not.toHaveProperty('cookie');
    expect(events[0]?.requestContext.time).toMatch(/^\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
  });

  it('passes text bodies as text and binary bodies as base64', async () => {
    const { url, events } = await serve(() => ({ statusCode: 204 }));
    const binary = Buffer.from([0, 1, 2, 255]);

    await raw(url, '/x', { 'content-type': 'application/json' }, Buffer.from('{"a":1}'));
    await raw(url, '/x', { 'content-type': 'application/octet-stream' }, binary);

    expect(events[0]).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
    expect(events[1]).toMatchObject({ body: binary.toString('base64'), isBase64Encoded: true });
  });

  it('refuses a body over the limit with 413 in the error shape, without calling the handler', async () => {
    const { url, events } = await serve(() => ({ statusCode: 204 }));

    const response = await raw(url, '/x', { 'content-type': 'application/json' }, Buffer.alloc(2048, 'a'));

    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toEqual({
      error: { code: 'PAYLOAD_TOO_LARGE', message: 'request body exceeds the limit of 1024 bytes' },
    });
    expect(events).toEqual([]);
  });

  it('writes structured results, base64 bodies and cookies back', async () => {
    const { url } = await serve(() => ({
      statusCode: 201,
      headers: { 'X-One': '1' },
      cookies: ['session=abc; HttpOnly'],
      body: Buffer.from('bytes').toString('base64'),
      isBase64Encoded: true,
    }));

    const response = await fetch(`${url}/x`);

    expect(response.status).toBe(201);
    expect(response.headers.get('x-one')).toBe('1');
    expect(response.headers.get('set-cookie')).toBe('session=abc; HttpOnly');
    expect(await response.text()).toBe('bytes');
  });

  it('answers a plain object result as JSON 200, as API Gateway infers it', async () => {
    const { url } = await serve(() => ({ hello: 'world' }) as unknown as APIGatewayProxyResultV2);

    const response = await fetch(`${url}/x`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ hello: 'world' });
  });

  it('answers 500 with a request id when the handler itself throws', async () => {
    const { url, log } = await serve(() => {
      throw new Error('secret detail');
    });

    const response = await fetch(`${url}/x`);
    const text = await response.text();

    expect(response.status).toBe(500);
    expect(text).not.toContain('secret detail');
    expect(JSON.parse(text).error.details.requestId).toBe(response.headers.get('x-request-id'));
    expect(log.lines.map((line) => [line.level, line.message])).toEqual([['error', 'request failed']]);
  });
});
