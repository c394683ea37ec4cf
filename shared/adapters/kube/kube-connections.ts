/**
 * Kubernetes API requests on one keep-alive connection pool per API server and TLS identity.
 *
 * The pool is node's own https.Agent, keyed by server origin and TLS material, so the clusters of
 * one ACP platform, all served at <platform>/kubernetes/<cluster> with the platform's CA, share
 * one pool, and a fleet opens a handful of connections rather than one per request (what
 * @kubernetes/client-node 2.x does whenever a CA is set). The requests are the REST calls the
 * adapter makes (kube-cluster-client.ts), JSON in and out: client-node's generated API classes
 * would add 1.4 MB to every Lambda bundle for the dozen calls we make.
 */
import { createHash } from 'node:crypto';
import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { KubeEndpoint } from './kube-endpoint.ts';

export interface KubeConnectionOptions {
  /** Connections per API server; requests beyond it wait for a free one instead of opening more. */
  maxConnections: number;
  /** A request without its whole answer for this long is aborted and frees its connection. */
  requestTimeoutMs: number;
}

export const DEFAULT_CONNECTION_OPTIONS: KubeConnectionOptions = {
  maxConnections: 32,
  requestTimeoutMs: 15_000,
};

const USER_AGENT = 'redis-upgrader';

/** The API server answered with a status outside 2xx (kube-errors.ts says what each means). */
export class KubeHttpError extends Error {
  readonly status: number;
  readonly body: string;
  readonly headers: IncomingHttpHeaders;

  constructor(status: number, body: string, headers: IncomingHttpHeaders) {
    super(`HTTP ${status}`);
    this.name = 'KubeHttpError';
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PATCH';
  /** The API path below the server's URL, e.g. /api/v1/nodes. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** The body's media type; a PATCH says which patch it is. */
  contentType?: string;
}

type Pool = HttpAgent | HttpsAgent;

const isSuccess = (status: number) => status >= 200 && status <= 299;

/** A response's whole body as text. */
function readText(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('error', reject);
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: { metadata?: { name?: string; resourceVersion?: string }; [field: string]: unknown };
}

export class KubeConnections {
  readonly #pools = new Map<string, Pool>();
  /** Each endpoint's pool, so its TLS material is hashed once, not on every request. */
  #poolOf = new WeakMap<KubeEndpoint, Pool>();
  readonly #options: KubeConnectionOptions;

  constructor(options: Partial<KubeConnectionOptions> = {}) {
    this.#options = { ...DEFAULT_CONNECTION_OPTIONS, ...options };
  }

  /** Sends one request to the endpoint on its server's pool; the answer's JSON, or a KubeHttpError. */
  async request<T>(endpoint: KubeEndpoint, request: KubeRequest): Promise<T> {
    const url = this.#url(endpoint, request);
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const headers: Record<string, string> = {
      ...(await endpoint.headers()),
      Accept: 'application/json',
      'User-Agent': USER_AGENT,
      ...(body === undefined
        ? {}
        : {
            'Content-Type': request.contentType ?? 'application/json',
            'Content-Length': `${Buffer.byteLength(body)}`,
          }),
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<T>((resolve, reject) => {
      const req = send(url, {
        method: request.method,
        headers,
        agent: this.#pool(url, endpoint),
        signal: AbortSignal.timeout(this.#options.requestTimeoutMs),
      });
      req.on('error', reject);
      req.on('response', (res) => {
        readText(res).then((text) => {
          const status = res.statusCode ?? 0;
          if (!isSuccess(status)) return reject(new KubeHttpError(status, text, res.headers));
          try {
            resolve(JSON.parse(text) as T);
          } catch {
            reject(new Error(`${request.method} ${request.path}: the answer is not JSON`));
          }
        }, reject);
      });
      req.end(body);
    });
  }

  /**
   * Streams a watch (`?watch=1`, newline-delimited `{type, object}` events) to `onEvent` until it
   * returns true (resolves true), the server ends the stream or `onEvent` returns 'restart'
   * (resolves false, the stream closed) or `signal` aborts (rejects). Watches hold their connection
   * for as long as they last, so they get pools of their own: a thousand waiting jobs must not
   * take the sockets the short requests queue for.
   */
  async watch(
    endpoint: KubeEndpoint,
    request: Pick<KubeRequest, 'path' | 'query'>,
    onEvent: (event: WatchEvent) => boolean | 'restart',
    signal: AbortSignal,
  ): Promise<boolean> {
    const url = this.#url(endpoint, { ...request, query: { ...request.query, watch: 1 } });
    const headers = { ...(await endpoint.headers()), Accept: 'application/json', 'User-Agent': USER_AGENT };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<boolean>((resolve, reject) => {
      const req = send(url, { method: 'GET', headers, agent: this.#pool(url, endpoint, 'watch'), signal });
      req.on('error', reject);
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        if (!isSuccess(status)) {
          readText(res).then((text) => reject(new KubeHttpError(status, text, res.headers)), reject);
          return;
        }
        let pending = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          pending += chunk;
          let newline = pending.indexOf('\n');
          while (newline >= 0) {
            const line = pending.slice(0, newline).trim();
            pending = pending.slice(newline + 1);
            newline = pending.indexOf('\n');
            if (!line) continue;
            let done: boolean | 'restart';
            try {
              done = onEvent(JSON.parse(line) as WatchEvent);
            } catch (error) {
              req.destroy();
              return reject(error);
            }
            if (done) {
              req.destroy();
              return resolve(done === true);
            }
          }
        });
        res.on('error', reject);
        res.on('end', () => resolve(false));
      });
      req.end();
    });
  }

  /** How many pools there are (one per API server and TLS identity). */
  get size(): number {
    return this.#pools.size;
  }

  /** Closes every pool's connections (a stopping runtime; a test's end). */
  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    this.#poolOf = new WeakMap();
    for (const pool of pools) pool.destroy();
  }

  #url(endpoint: KubeEndpoint, request: Pick<KubeRequest, 'path' | 'query'>): URL {
    const url = new URL(`${endpoint.server.replace(/\/+$/, '')}${request.path}`);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
    }
    return url;
  }

  #pool(url: URL, endpoint: KubeEndpoint, use: 'request' | 'watch' = 'request'): Pool {
    const known = use === 'request' ? this.#poolOf.get(endpoint) : undefined;
    if (known) return known;
    // The CA and client certificate are in the key (hashed): a cluster with other TLS material gets its own pool.
    const { ca, cert, key, rejectUnauthorized, servername } = endpoint.tls;
    const poolKey = createHash('sha256')
      .update(JSON.stringify([use, url.origin, ca, cert, key, rejectUnauthorized, servername]))
      .digest('hex');
    let pool = this.#pools.get(poolKey);
    if (!pool) {
      // A watch pool is unbounded: the waker caps how many watches there are.
      const sizing = {
        keepAlive: true,
        maxSockets: use === 'watch' ? Infinity : this.#options.maxConnections,
      };
      // One TLS context per pool: left to itself, each new connection parses the CA and key again.
      pool =
        url.protocol === 'https:'
          ? new HttpsAgent({
              ...sizing,
              rejectUnauthorized,
              servername,
              secureContext: createSecureContext({ ca, cert, key }),
            })
          : new HttpAgent(sizing);
      this.#pools.set(poolKey, pool);
    }
    if (use === 'request') this.#poolOf.set(endpoint, pool);
    return pool;
  }
}
