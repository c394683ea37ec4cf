/**
 * What reaches the stand-in's port that is not a well-formed request: malformed request targets,
 * bytes Node's HTTP parser refuses, bodies over the limit, clients that give up. Each is answered
 * with the JSON error shape and a status below 500, without calling the handler or logging an
 * error, over real sockets.
 */
import { connect } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { errorShapeOf } from '#test/api/support/error-shape.ts';
import { MALFORMED_TARGETS, PARSER_REFUSALS } from '#test/api/support/hostile-requests.ts';
import { bodyOf, head, rawExchange } from '#test/api/support/raw-http.ts';
import { standIn } from './support/stand-in.ts';

const MiB = 1024 * 1024;

function quiet(log: { lines: { level: string }[] }) {
  return log.lines.filter((line) => line.level === 'error' || line.level === 'warn');
}

describe('request targets are read before the handler', () => {
  it.each(MALFORMED_TARGETS)('answers $name with $status $code', async ({ bytes, status, code }) => {
    // Prepare
    const { url, events, log } = await standIn(() => ({ statusCode: 204 }));
    // Act
    const response = await rawExchange(url, [bytes]);
    // Assess
    expect(response.status).toBe(status);
    expect(errorShapeOf(response.body).code).toBe(code);
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(events).toEqual([]);
    expect(quiet(log)).toEqual([]);
    expect(log.lines).toContainEqual(
      expect.objectContaining({
        message: 'request refused',
        attributes: expect.objectContaining({ status, code, reason: expect.any(String) }),
      }),
    );
  });

  it('answers an HTTP/1.1 request without Host with 400 INVALID_HOST', async () => {
    // Prepare
    const { url, events } = await standIn(() => ({ statusCode: 204 }));
    // Act
    const response = await rawExchange(url, ['GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n']);
    // Assess
    expect(response.status).toBe(400);
    expect(errorShapeOf(response.body).code).toBe('INVALID_HOST');
    expect(events).toEqual([]);
  });

  it('reads //healthz as a path, not as a host name', async () => {
    // Prepare
    const { url, events } = await standIn(() => ({ statusCode: 204 }));
    // Act
    const response = await rawExchange(url, [head('GET //healthz?x=1 HTTP/1.1')]);
    // Assess
    expect(response.status).toBe(204);
    expect(events[0]).toMatchObject({
      rawPath: '//healthz',
      rawQueryString: 'x=1',
      requestContext: { http: { path: '//healthz' }, domainName: 'localhost' },
    });
  });

  it('serves an absolute-form target by its path, its host standing in for Host', async () => {
    // Prepare
    const { url, events } = await standIn(() => ({ statusCode: 204 }));
    // Act
    const response = await rawExchange(url, [head('GET http://api.example/healthz?x=1 HTTP/1.1')]);
    // Assess
    expect(response.status).toBe(204);
    expect(events[0]).toMatchObject({
      rawPath: '/healthz',
      rawQueryString: 'x=1',
      requestContext: { domainName: 'api.example' },
    });
  });
});

describe('requests the HTTP parser refuses', () => {
  it.each(PARSER_REFUSALS)('answers $name with $status $code and closes', async ({ bytes, status, code }) => {
    // Prepare
    const { url, events, log } = await standIn(() => ({ statusCode: 204 }));
    // Act
    const response = await rawExchange(url, [bytes]);
    const health = await fetch(`${url}/healthz`);
    // Assess
    expect(response).toMatchObject({ status, headers: { connection: 'close' } });
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(errorShapeOf(response.body).code).toBe(code);
    expect(response.socketError).toBeUndefined();
    // Only the health check reached the handler.
    expect(events.map((event) => event.rawPath)).toEqual(['/healthz']);
    expect(quiet(log)).toEqual([]);
    expect(health.status).toBe(204);
  });

  it('answers a refused HEAD request without a body', async () => {
    // Prepare
    const { url } = await standIn(() => ({ statusCode: 204 }));
    // Act
    const response = await rawExchange(url, [head('HEAD /caf\xe9 HTTP/1.1')]);
    // Assess
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.raw.endsWith('\r\n\r\n')).toBe(true);
  });

  it('sends nothing after the answer to a request followed by bytes past Connection: close', async () => {
    // Prepare
    const { url, log } = await standIn(() => ({ statusCode: 404, body: '{}' }));
    // Act
    const response = await rawExchange(url, [`${head('HEAD /x HTTP/1.1')}{}`]);
    // Assess
    expect(response.status).toBe(404);
    expect(response.raw.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(quiet(log)).toEqual([]);
  });

  it('answers a malformed request pipelined after a good one once the good one is answered', async () => {
    // Prepare
    const { url } = await standIn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { statusCode: 204 };
    });
    // Act
    const response = await rawExchange(url, [
      `${head('GET /x HTTP/1.1', { Connection: 'keep-alive' })}BREW / HTTP/1.1\r\n\r\n`,
    ]);
    // Assess
    expect(response.status).toBe(204);
    const second = response.raw.slice(response.raw.indexOf('HTTP/1.1 ', 1));
    expect(second).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(errorShapeOf(second.slice(second.indexOf('\r\n\r\n') + 4)).code).toBe('MALFORMED_REQUEST');
  });

  it('lets a client that writes 1 MiB of headers before reading read its 431', async () => {
    // Prepare
    const { url } = await standIn(() => ({ statusCode: 204 }));
    const header = Buffer.alloc(MiB, 'a');
    // Act
    const response = await rawExchange(url, ['GET /x HTTP/1.1\r\nHost: x\r\nX-Big: ', header, '\r\n\r\n'], {
      readAfterWrite: true,
    });
    // Assess
    expect(response.socketError).toBeUndefined();
    expect(response.status).toBe(431);
    expect(errorShapeOf(response.body).code).toBe('HEADERS_TOO_LARGE');
  });

  it('stops swallowing what a refused client still sends once the linger time is over', async () => {
    // Prepare
    const { url } = await standIn(() => ({ statusCode: 204 }), { lingerMs: 100 });
    const { hostname, port } = new URL(url);
    const started = Date.now();
    // Act
    const socket = connect({ port: Number(port), host: hostname, allowHalfOpen: true });
    const failed = new Promise<string | undefined>((resolve) =>
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code)),
    );
    socket.write(head('BREW /x HTTP/1.1'));
    const pump = setInterval(() => socket.write('more bytes the server no longer wants\r\n'), 20);
    const code = await failed;
    clearInterval(pump);
    // Assess
    expect(code).toMatch(/EPIPE|ECONNRESET/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('bodies over the limit', () => {
  it.each([
    ['Content-Length', 2 * MiB, false],
    ['Content-Length', 8 * MiB, false],
    ['chunked', 2 * MiB, true],
    ['chunked', 8 * MiB, true],
  ])(
    'answers a %s body of %d bytes with a 413 the client reads after writing it all',
    async (_framing, size, chunked) => {
      // Prepare
      const { url, events } = await standIn(() => ({ statusCode: 204 }), { maxBodyBytes: MiB });
      const framing: Record<string, string> = chunked
        ? { 'Transfer-Encoding': 'chunked' }
        : { 'Content-Length': String(size) };
      for (let attempt = 0; attempt < 4; attempt++) {
        // Act: half the clients read only after writing everything
        const response = await rawExchange(
          url,
          [head('POST /x HTTP/1.1', framing), ...bodyOf(size, chunked)],
          {
            readAfterWrite: attempt % 2 === 0,
          },
        );
        // Assess
        expect(response.socketError).toBeUndefined();
        expect(response).toMatchObject({ status: 413, headers: { connection: 'close' } });
        expect(errorShapeOf(response.body)).toEqual({
          code: 'PAYLOAD_TOO_LARGE',
          message: `request body exceeds the limit of ${MiB} bytes`,
        });
      }
      expect(events).toEqual([]);
    },
  );

  it('cuts the connection once the discarded rest passes 16 times the limit', async () => {
    // Prepare
    const { url } = await standIn(() => ({ statusCode: 204 }), { maxBodyBytes: 1024 });
    const size = 16 * MiB;
    // Act
    const response = await rawExchange(url, [
      head('POST /x HTTP/1.1', { 'Content-Length': String(size) }),
      ...bodyOf(size),
    ]);
    // Assess
    expect(response.socketError).toMatch(/EPIPE|ECONNRESET/);
  });

  it('closes after the linger time when the rest of the upload never comes', async () => {
    // Prepare
    const { url } = await standIn(() => ({ statusCode: 204 }), { maxBodyBytes: 1024, lingerMs: 100 });
    const started = Date.now();
    // Act
    const response = await rawExchange(
      url,
      [head('POST /x HTTP/1.1', { 'Content-Length': String(MiB) }), Buffer.alloc(4096, 'a')],
      { holdOpen: true },
    );
    // Assess
    expect(response.status).toBe(413);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('clients that go away', () => {
  it('drops a connection reset mid-headers without a word', async () => {
    // Prepare
    const { url, events, log } = await standIn(() => ({ statusCode: 204 }));
    const { hostname, port } = new URL(url);
    // Act
    const socket = connect(Number(port), hostname, () => {
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Half: ');
      setTimeout(() => socket.resetAndDestroy(), 50);
    });
    await new Promise((resolve) => socket.once('close', resolve));
    const health = await fetch(`${url}/healthz`);
    // Assess
    expect(health.status).toBe(204);
    expect(log.lines).toEqual([]);
    expect(events.map((event) => event.rawPath)).toEqual(['/healthz']);
  });

  it('serves a request asking for a protocol upgrade as a plain request', async () => {
    // Prepare
    const { url } = await standIn(() => ({ statusCode: 204 }));
    // Act
    const response = await rawExchange(url, [
      head('GET /x HTTP/1.1', { Connection: 'Upgrade, close', Upgrade: 'websocket' }),
    ]);
    // Assess
    expect(response.status).toBe(204);
  });

  it('survives a CONNECT client that resets the connection', async () => {
    // Prepare
    const { url } = await standIn(() => ({ statusCode: 204 }), { lingerMs: 1000 });
    const { hostname, port } = new URL(url);
    // Act
    const socket = connect(Number(port), hostname, () => {
      socket.write(head('CONNECT api.example:443 HTTP/1.1'));
      socket.once('data', () => {
        socket.write('tunnelled bytes');
        socket.resetAndDestroy();
      });
    });
    await new Promise((resolve) => socket.once('close', resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Assess
    expect((await fetch(`${url}/healthz`)).status).toBe(204);
  });

  it('logs an aborted upload as information, not as a crash', async () => {
    // Prepare
    const { url, events, log } = await standIn(() => ({ statusCode: 204 }));
    const { hostname, port } = new URL(url);
    // Act
    const socket = connect(Number(port), hostname, () => {
      socket.write(`${head('POST /x HTTP/1.1', { 'Content-Length': '1000' })}${'a'.repeat(100)}`);
      setTimeout(() => socket.destroy(), 50);
    });
    // Assess
    await vi.waitFor(() =>
      expect(log.lines.map((line) => line.message)).toContain(
        'connection closed before the request body was read',
      ),
    );
    expect(quiet(log)).toEqual([]);
    expect(events).toEqual([]);
  });
});
