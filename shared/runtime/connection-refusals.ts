/**
 * Answers for what never becomes a request: bytes Node's HTTP parser refuses (the server's
 * `clientError` event, https://nodejs.org/api/http.html#event-clienterror) and CONNECT, which
 * this server does not proxy. Left to Node, the first get a bare status line and the second a
 * silent close; here both get the API's JSON error shape, written straight to the socket, and a
 * lingering close: the write side ends, and what the client still sends is read and dropped
 * until it closes or `lingerMs` passes. Closing with unread input would reset the connection,
 * and a reset can destroy the answer before the client reads it.
 */
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, maxHeaderSize, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { errorResponse } from '#shared/http/error-response.ts';
import { HttpError } from '#shared/http/http-error.ts';
import type { Log } from '#shared/ports.ts';

/** What Node passes to `clientError`: llhttp's code (HPE_*) and reason, or a socket error. */
interface ClientError extends Error {
  code?: string;
  reason?: string;
  /** The bytes the parser was reading. */
  rawPacket?: Buffer;
}

function refusalOf(error: ClientError): HttpError {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new HttpError(431, 'HEADERS_TOO_LARGE', `request headers exceed ${maxHeaderSize} bytes`);
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new HttpError(413, 'PAYLOAD_TOO_LARGE', 'request chunk extensions are too large');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new HttpError(408, 'REQUEST_TIMEOUT', 'the request did not arrive in time');
    case 'HPE_PAUSED_H2_UPGRADE':
      return new HttpError(400, 'MALFORMED_REQUEST', 'this server speaks HTTP/1.1, not HTTP/2');
    default:
      return new HttpError(
        400,
        'MALFORMED_REQUEST',
        `malformed HTTP request: ${error.reason ?? error.code ?? error.message}`,
      );
  }
}

/** The whole answer as bytes; without its body for HEAD, whose answer never carries one. */
function rawResponse(result: APIGatewayProxyStructuredResultV2, requestId: string, head: boolean): string {
  const status = result.statusCode ?? 500;
  const body = result.body ?? '';
  const headers = {
    ...result.headers,
    'X-Request-Id': requestId,
    'Content-Length': Buffer.byteLength(body),
    Connection: 'close',
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${lines.join('')}\r\n${head ? '' : body}`;
}

export interface ConnectionRefusals {
  /** Call for every request: what the parser refuses next depends on the exchange in flight. */
  track(req: IncomingMessage, res: ServerResponse): void;
  onClientError(error: ClientError, socket: Duplex): void;
  onConnect(req: IncomingMessage, socket: Duplex): void;
}

export function connectionRefusals(log: Log, lingerMs: number): ConnectionRefusals {
  const answered = new WeakSet<Duplex>();
  const inFlight = new WeakMap<Duplex, { req: IncomingMessage; res: ServerResponse }>();
  const refuse = (socket: Duplex, refusal: HttpError, request?: Buffer) => {
    answered.add(socket);
    const requestId = randomUUID();
    const head = request?.subarray(0, 5).toString('latin1') === 'HEAD ';
    socket.end(rawResponse(errorResponse(refusal, requestId, log), requestId, head));
    const timer = setTimeout(() => socket.destroy(), lingerMs);
    socket.once('close', () => clearTimeout(timer));
    // A CONNECT socket is no longer read by the parser: drop its input here.
    socket.resume();
  };
  return {
    track(req, res) {
      const exchange = { req, res };
      inFlight.set(req.socket, exchange);
      res.once('finish', () => {
        if (inFlight.get(req.socket) === exchange) inFlight.delete(req.socket);
      });
    },
    onClientError(error, socket) {
      // The parser reports its error again for every later chunk of a refused connection.
      if (answered.has(socket)) return;
      const exchange = inFlight.get(socket);
      if (
        error.code === 'ECONNRESET' ||
        !socket.writable ||
        (exchange?.res.headersSent && !exchange.req.complete)
      ) {
        // Nobody left to answer, or a response under way that a second one would corrupt.
        socket.destroy();
        return;
      }
      if (exchange?.req.complete) {
        // The bytes came after a whole request whose response is still to come: answer after it
        // (Node closes the connection then if the client asked it to, and no answer is owed for
        // data sent after Connection: close).
        answered.add(socket);
        if (error.code !== 'HPE_CLOSED_CONNECTION') {
          exchange.res.once('finish', () => refuse(socket, refusalOf(error)));
        }
        return;
      }
      refuse(socket, refusalOf(error), error.rawPacket);
    },
    onConnect(_req, socket) {
      // Node hands the socket over without its error listener: a reset would be uncaught.
      socket.on('error', () => socket.destroy());
      refuse(socket, new HttpError(405, 'METHOD_NOT_ALLOWED', 'CONNECT is not supported: this is no proxy'));
    },
  };
}
