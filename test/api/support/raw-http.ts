/**
 * HTTP/1.1 over a bare TCP socket, for what no HTTP client sends (malformed request lines, bytes
 * the parser refuses) and for clients that write their whole upload before reading the answer.
 * Requests should ask for `Connection: close`: the client never half-closes (a half-close makes
 * Node drop a response still being prepared), so the response is whatever arrives until the
 * server closes.
 */
import { connect } from 'node:net';

export interface RawResponse {
  /** 0 when nothing parseable arrived. */
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Everything received, responses after the first included (latin1). */
  raw: string;
  /** The socket error the client saw (EPIPE, ECONNRESET), if any. */
  socketError?: string;
}

export interface RawOptions {
  /** Read nothing until every part is written, as simple synchronous clients do. */
  readAfterWrite?: boolean;
  /** Keep the client's side open after the server's FIN; done once the server has closed its side. */
  holdOpen?: boolean;
}

function parse(bytes: Buffer): Omit<RawResponse, 'socketError'> {
  const text = bytes.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const status = /^HTTP\/1\.[01] (\d{3}) /.exec(text)?.[1];
  if (end < 0 || !status) return { status: 0, headers: {}, body: text, raw: text };
  const headers: Record<string, string> = {};
  for (const line of text.slice(0, end).split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = bytes.subarray(end + 4);
  const length = headers['content-length'];
  const body =
    headers['transfer-encoding'] === 'chunked'
      ? unchunked(rest)
      : rest.subarray(0, Number(length ?? rest.length));
  return { status: Number(status), headers, body: body.toString('utf8'), raw: text };
}

function unchunked(bytes: Buffer): Buffer {
  const chunks: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    const size = Number.parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
    if (lineEnd < 0 || !(size > 0)) return Buffer.concat(chunks);
    chunks.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** Sends `parts` in order (waiting for the socket to drain between them) and reads the answer. */
export async function rawExchange(
  url: string,
  parts: Iterable<string | Buffer>,
  options: RawOptions = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  const socket = connect({ port: Number(port), host: hostname, allowHalfOpen: options.holdOpen ?? false });
  if (options.readAfterWrite) socket.pause();
  const chunks: Buffer[] = [];
  let socketError: string | undefined;
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', (error: NodeJS.ErrnoException) => {
    socketError ??= error.code ?? error.message;
  });
  // Not events.once: it rejects on 'error', and an error is a result here.
  const event = (name: string) => new Promise<void>((resolve) => socket.once(name, () => resolve()));
  const closed = event('close');
  await Promise.race([event('connect'), closed]);
  for (const part of parts) {
    if (socket.destroyed) break;
    if (!socket.write(typeof part === 'string' ? Buffer.from(part, 'latin1') : part)) {
      await Promise.race([event('drain'), closed]);
    }
  }
  socket.resume();
  await (options.holdOpen ? Promise.race([closed, event('end')]) : closed);
  return { ...parse(Buffer.concat(chunks)), ...(socketError ? { socketError } : {}) };
}

/** A request head; pass `Connection: close` unless the test is about the server closing. */
export function head(requestLine: string, headers: Record<string, string> = {}): string {
  const lines = Object.entries({ Host: 'localhost', Connection: 'close', ...headers }).map(
    ([name, value]) => `${name}: ${value}`,
  );
  return `${requestLine}\r\n${lines.join('\r\n')}\r\n\r\n`;
}

/** `size` bytes of body in 64 KiB pieces, optionally as chunked transfer coding. */
export function* bodyOf(size: number, chunked = false): Generator<Buffer> {
  const piece = Buffer.alloc(64 * 1024, 'a');
  for (let sent = 0; sent < size; sent += piece.length) {
    const part = piece.subarray(0, Math.min(piece.length, size - sent));
    yield chunked
      ? Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')])
      : part;
  }
  if (chunked) yield Buffer.from('0\r\n\r\n');
}
