/**
 * How the local API reads a request target (RFC 9112 3.2), before routing or authentication:
 * - origin-form `/path?query` is the path as sent: `//healthz` is the path `//healthz`, never a
 *   host name (a relative-URL reading would take `healthz` for the host);
 * - absolute-form `http://host/path?query`, which servers must accept (RFC 9112 3.2.2), is served
 *   by its path and query when it is a valid http(s) URL, and its host stands in for Host;
 * - anything else (authority-form, asterisk-form, `http://[`, `http://a:99999/`, `http://%zz/`)
 *   is refused with 400, as is a request with several Host headers or an HTTP/1.1 request
 *   with none (RFC 9112 3.2).
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from '#shared/http/http-error.ts';

export interface RequestTarget {
  /** Percent-encoding kept as sent; dot segments resolved as the URL standard does. */
  path: string;
  /** Without the `?`. */
  query: string;
  /** The authority of an absolute-form target. */
  host?: string;
}

const ABSOLUTE_FORM = /^https?:\/\//i;

function urlOf(target: string): URL | null {
  if (target.startsWith('/')) return URL.parse(`http://localhost${target}`);
  return ABSOLUTE_FORM.test(target) ? URL.parse(target) : null;
}

export function readRequestTarget(
  req: Pick<IncomingMessage, 'url' | 'httpVersion' | 'headersDistinct'>,
): RequestTarget | HttpError {
  const hosts = req.headersDistinct.host?.length ?? 0;
  if (hosts > 1 || (hosts === 0 && req.httpVersion === '1.1')) {
    return new HttpError(400, 'INVALID_HOST', 'send exactly one Host header');
  }
  const target = req.url ?? '';
  const url = urlOf(target);
  if (!url) {
    return new HttpError(
      400,
      'INVALID_REQUEST_TARGET',
      'the request target must be a path such as /upgrades or an absolute http(s) URL',
    );
  }
  return {
    path: url.pathname,
    query: url.search.slice(1),
    ...(target.startsWith('/') ? {} : { host: url.host }),
  };
}
