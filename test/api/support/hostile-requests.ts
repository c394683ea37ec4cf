/**
 * Requests as raw bytes that no well-behaved client sends, with the answer the edge owes them.
 * Shared by the server's own tests (scripted handler) and the API's (real handler and auth).
 */
import { head } from './raw-http.ts';

export interface HostileRequest {
  name: string;
  bytes: string;
  status: number;
  code: string;
}

/** Targets the parser lets through but no URL reading accepts (answered before auth). */
export const MALFORMED_TARGETS: HostileRequest[] = [
  'GET http://[ HTTP/1.1',
  'GET http://a:99999/healthz HTTP/1.1',
  'GET http://%zz/ HTTP/1.1',
  'GET * HTTP/1.1',
  'OPTIONS * HTTP/1.1',
].map((line) => ({ name: line, bytes: head(line), status: 400, code: 'INVALID_REQUEST_TARGET' }));

const malformed = (name: string, bytes: string) => ({ name, bytes, status: 400, code: 'MALFORMED_REQUEST' });

/** Bytes Node's HTTP parser refuses, and CONNECT, which it hands over as a bare socket. */
export const PARSER_REFUSALS: HostileRequest[] = [
  malformed('a header byte 0x7f', head('GET /healthz HTTP/1.1', { 'X-Odd': 'a\x7fb' })),
  malformed('a raw non-ASCII byte in the path', head('GET /caf\xe9 HTTP/1.1')),
  {
    name: 'a header block over 16 KiB',
    bytes: head('GET /healthz HTTP/1.1', { 'X-Big': 'a'.repeat(17 * 1024) }),
    status: 431,
    code: 'HEADERS_TOO_LARGE',
  },
  malformed(
    'malformed chunked encoding',
    `${head('POST /upgrades HTTP/1.1', { 'Transfer-Encoding': 'chunked' })}zz\r\nhello\r\n0\r\n\r\n`,
  ),
  malformed(
    'two different Content-Length headers',
    'POST /upgrades HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
  ),
  malformed(
    'Content-Length with Transfer-Encoding',
    `${head('POST /upgrades HTTP/1.1', { 'Content-Length': '3', 'Transfer-Encoding': 'chunked' })}0\r\n\r\n`,
  ),
  {
    name: 'chunk extensions over 16 KiB',
    bytes: `${head('POST /upgrades HTTP/1.1', { 'Transfer-Encoding': 'chunked' })}1;${'a'.repeat(20 * 1024)}\r\nx\r\n0\r\n\r\n`,
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  malformed('an unknown method', head('BREW /healthz HTTP/1.1')),
  malformed('an authority-form target on GET', head('GET api.example:443 HTTP/1.1')),
  malformed('an HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
  {
    name: 'CONNECT',
    bytes: head('CONNECT api.example:443 HTTP/1.1'),
    status: 405,
    code: 'METHOD_NOT_ALLOWED',
  },
];
