/**
 * `GET|HEAD /downloads/<file>`: the simulator standing in for the vendor download site, so a
 * catalog artifact URL `https://packages.example.invalid/alauda/redis-operator/<file>` resolves
 * as `<downloadBaseUrl>/<file>` (an artifact mirror base URL). Public, like the vendor site: no token.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ExtraRoute } from '#sim/api/platform-server.ts';
import { EXAMPLE_PACKAGES_DIR } from '#sim/packages/example-packages.ts';

export const DOWNLOADS_PREFIX = '/downloads/';
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.tgz$/;

function notFound(res: ServerResponse, file: string): void {
  const body = `no such package: ${file}\n`;
  res.writeHead(404, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}

export function downloadsRoute(dir = EXAMPLE_PACKAGES_DIR): ExtraRoute {
  return async (req, res, url) => {
    if (!url.pathname.startsWith(DOWNLOADS_PREFIX)) return false;
    const file = decodeURIComponent(url.pathname.slice(DOWNLOADS_PREFIX.length));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return true;
    }
    // The strict name pattern keeps requests inside `dir` (no separators, no leading dot).
    const path = resolve(dir, file);
    const size = FILE_NAME.test(file) ? await sizeOf(path) : undefined;
    if (size === undefined) {
      notFound(res, file);
      return true;
    }
    res.writeHead(200, {
      'Content-Type': 'application/gzip',
      'Content-Length': size,
      'Content-Disposition': `attachment; filename="${file}"`,
    });
    if (req.method === 'HEAD') res.end();
    // A client that hangs up mid-download is its own problem, not a server error.
    else await pipeline(createReadStream(path), res).catch(() => res.destroy());
    return true;
  };
}
