/**
 * The web console (console/, issue 14) as `serve` offers it at `/`: the files Vite built into
 * console/dist, read from disk when asked for (nothing is loaded at start-up, and the Lambda
 * functions never import this), served by `send` (conditional GET, ranges, no path leaves the
 * root) with the console's headers and Content-Security-Policy (#shared/http/console-headers.ts).
 * Hashed assets are cached for good; the index is revalidated, so a rebuilt console is picked up
 * on reload.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import send from 'send';
import { CONSOLE_HEADERS } from '#shared/http/console-headers.ts';
import { errorResponse } from '#shared/http/error-response.ts';
import { HttpError } from '#shared/http/http-error.ts';
import type { Log } from '#shared/ports.ts';

export const CONSOLE_DIST = resolve(import.meta.dirname, '../../console/dist');

/**
 * The built console's entries; every other path is the API's. Vite's asset names are plain
 * (`index-<hash>.js`): a name with an escape or a dot segment is no asset of ours.
 */
const SITE_PATH = /^\/(index\.html|favicon\.svg|assets\/[\w-]+(\.[\w-]+)+)?$/;

export interface ConsoleSite {
  /** This request is for the console, not the API. */
  handles(method: string | undefined, path: string): boolean;
  serve(req: IncomingMessage, res: ServerResponse, path: string, requestId: string): void;
}

function refusal(status: number, path: string): HttpError {
  if (status === 404 && (path === '/' || path === '/index.html')) {
    return new HttpError(
      404,
      'CONSOLE_NOT_BUILT',
      'the web console is not built: run `npm run build:console`',
    );
  }
  return status === 404
    ? new HttpError(404, 'ROUTE_NOT_FOUND', `no such file: ${path}`)
    : new HttpError(status < 500 ? status : 400, 'INVALID_PATH', `cannot serve ${path}`);
}

export function consoleSite(log: Log, root = CONSOLE_DIST): ConsoleSite {
  return {
    handles: (method, path) => (method === 'GET' || method === 'HEAD') && SITE_PATH.test(path),
    serve(req, res, path, requestId) {
      const immutable = path.startsWith('/assets/');
      send(req, path, {
        root,
        index: ['index.html'],
        dotfiles: 'deny',
        cacheControl: immutable,
        ...(immutable ? { maxAge: '365d', immutable: true } : {}),
      })
        .on('headers', (response: ServerResponse) => {
          for (const [name, value] of Object.entries(CONSOLE_HEADERS)) response.setHeader(name, value);
          if (!immutable) response.setHeader('Cache-Control', 'no-cache');
        })
        .on('error', (error: { status?: number }) => {
          const answer = errorResponse(refusal(error.status ?? 500, path), requestId, log);
          if (res.headersSent) res.destroy();
          else {
            for (const [name, value] of Object.entries(answer.headers ?? {}))
              res.setHeader(name, String(value));
            res.writeHead(answer.statusCode ?? 500).end(answer.body);
          }
        })
        .pipe(res);
    },
  };
}
