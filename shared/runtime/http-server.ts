/**
 * The local stand-in for API Gateway HTTP API: a node:http server that turns each request into
 * an `APIGatewayProxyEventV2` (payload format 2.0), calls the API handler, and writes its result
 * back, with API Gateway's rules for headers (lower-cased, repeats joined by commas), cookies,
 * query strings, base64 bodies and inferred responses. What the handler must not see is answered
 * here, before authentication, in the API's JSON error shape: a malformed request target or Host
 * (request-target.ts), a body over the limit (413), bytes the HTTP parser refuses and CONNECT
 * (connection-refusals.ts).
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { ConfigError } from '#domain/errors.ts';
import { errorResponse } from '#shared/http/error-response.ts';
import { HttpError } from '#shared/http/http-error.ts';
import type { Log } from '#shared/ports.ts';
import { connectionRefusals } from './connection-refusals.ts';
import type { ConsoleSite } from './console-site.ts';
import { discardRest, readBody } from './request-body.ts';
import { type RequestTarget, readRequestTarget } from './request-target.ts';

export type HttpApiHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyResultV2>;

export interface HttpServerOptions {
  host: string;
  port: number;
  handler: HttpApiHandler;
  maxBodyBytes: number;
  log: Log;
  /** Serves the web console at `/`; without it every path is the API's. */
  site?: ConsoleSite;
  /**
   * How long a refused connection stays open to read and drop the rest of what the client
   * sends, so that it can read the answer (default 5 s).
   */
  lingerMs?: number;
}

export interface RunningHttpServer {
  url: string;
  /** Stops accepting connections and resolves when in-flight requests have been answered. */
  close(): Promise<void>;
}

const TEXT_BODY = /^(text\/|application\/([\w.+-]+\+)?(json|xml|javascript|x-www-form-urlencoded))/i;

const DEFAULT_LINGER_MS = 5_000;

/** The rest of an oversized upload read and dropped before the connection is cut, in limits. */
const DISCARD_LIMITS = 16;

function joinedHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headersDistinct)) {
    if (name !== 'cookie' && value) headers[name] = value.join(',');
  }
  return headers;
}

function queryParameters(search: URLSearchParams): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (const key of new Set(search.keys())) params[key] = search.getAll(key).join(',');
  return Object.keys(params).length > 0 ? params : undefined;
}

function clfTime(date: Date): string {
  const [, day, month, year, time] = date.toUTCString().split(' ');
  return `${day}/${month}/${year}:${time} +0000`;
}

export function toApiGatewayEvent(
  req: IncomingMessage,
  target: RequestTarget,
  body: Buffer,
  requestId: string,
): APIGatewayProxyEventV2 {
  const headers = joinedHeaders(req);
  const host = target.host ?? headers.host ?? 'localhost';
  const cookies = req.headers.cookie?.split(/;\s*/).filter(Boolean);
  const text = body.length === 0 || TEXT_BODY.test(headers['content-type'] ?? '');
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: target.path,
    rawQueryString: target.query,
    ...(cookies?.length ? { cookies } : {}),
    headers,
    ...(target.query ? { queryStringParameters: queryParameters(new URLSearchParams(target.query)) } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: {
        method: req.method ?? 'GET',
        path: target.path,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: body.toString(text ? 'utf8' : 'base64') } : {}),
    isBase64Encoded: !text,
  };
}

function lambdaContext(requestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'redis-upgrader-api',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:redis-upgrader-api',
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: 'local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** API Gateway's reading of a handler result: a structured one as given, anything else as JSON 200. */
export function writeResult(res: ServerResponse, result: APIGatewayProxyResultV2): void {
  const structured = typeof result === 'object' && result !== null && 'statusCode' in result;
  if (!structured) {
    const body = typeof result === 'string' ? result : JSON.stringify(result);
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    return;
  }
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    if (value !== undefined) res.setHeader(name, String(value));
  }
  if (result.cookies?.length) res.setHeader('set-cookie', result.cookies);
  const body =
    result.body === undefined
      ? undefined
      : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  res.writeHead(result.statusCode ?? 200).end(body);
}

type ServeOptions = HttpServerOptions & { lingerMs: number };

/**
 * A 413 the client can read: sent whole at once (Content-Length, Connection: close) but ended
 * only after the rest of the upload is read and dropped. Ending it at once would make Node close
 * the socket under an upload still arriving; that resets the connection, and a client that
 * writes its whole body before reading gets the reset instead of the 413.
 */
async function refuseOversized(
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  options: ServeOptions,
) {
  const limit = options.maxBodyBytes;
  const refusal = new HttpError(413, 'PAYLOAD_TOO_LARGE', `request body exceeds the limit of ${limit} bytes`);
  const result = errorResponse(refusal, requestId, options.log);
  const body = result.body ?? '';
  res.writeHead(413, { ...result.headers, 'content-length': Buffer.byteLength(body), connection: 'close' });
  res.write(body);
  const drained = await discardRest(req, DISCARD_LIMITS * limit, options.lingerMs);
  if (drained) res.end();
  else res.destroy();
}

async function serve(req: IncomingMessage, res: ServerResponse, options: ServeOptions): Promise<void> {
  const requestId = randomUUID();
  res.setHeader('x-request-id', requestId);
  const target = readRequestTarget(req);
  if (target instanceof HttpError) {
    writeResult(res, errorResponse(target, requestId, options.log));
    return;
  }
  if (options.site?.handles(req.method, target.path)) {
    options.site.serve(req, res, target.path, requestId);
    return;
  }
  let body: Buffer | undefined;
  try {
    body = await readBody(req, options.maxBodyBytes);
  } catch {
    // The client gave up mid-upload, or the parser refused the rest (answered as a client
    // error): nobody is left to answer, and nothing went wrong here.
    options.log.info('connection closed before the request body was read', { requestId });
    return;
  }
  if (!body) {
    await refuseOversized(req, res, requestId, options);
    return;
  }
  const result = await options.handler(
    toApiGatewayEvent(req, target, body, requestId),
    lambdaContext(requestId),
  );
  writeResult(res, result);
}

export async function startHttpServer(given: HttpServerOptions): Promise<RunningHttpServer> {
  const options = { ...given, lingerMs: given.lingerMs ?? DEFAULT_LINGER_MS };
  const refusals = connectionRefusals(options.log, options.lingerMs);
  // Node's own answer to a missing Host is a bare 400; readRequestTarget answers it in JSON.
  const server = createServer({ requireHostHeader: false }, (req, res) => {
    refusals.track(req, res);
    serve(req, res, options).catch((error: unknown) => {
      const answer = errorResponse(error, String(res.getHeader('x-request-id') ?? ''), options.log);
      if (res.headersSent) res.destroy();
      else writeResult(res, answer);
    });
  });
  server.on('clientError', refusals.onClientError);
  server.on('connect', refusals.onConnect);
  server.listen(options.port, options.host);
  try {
    await once(server, 'listening');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(`cannot listen on ${options.host}:${options.port}: ${reason}`, { cause: error });
  }
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
    },
  };
}
