/**
 * The local stand-in for API Gateway HTTP API: a node:http server that turns each request into
 * an `APIGatewayProxyEventV2` (payload format 2.0), calls the API handler, and writes its result
 * back, with API Gateway's rules for headers (lower-cased, repeats joined by commas), cookies,
 * query strings, base64 bodies and inferred responses. Bodies over the limit get 413 without
 * reaching the handler.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { ConfigError } from '#domain/errors.ts';
import type { Log } from '#shared/ports.ts';

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
}

export interface RunningHttpServer {
  url: string;
  /** Stops accepting connections and resolves when in-flight requests have been answered. */
  close(): Promise<void>;
}

const TEXT_BODY = /^(text\/|application\/([\w.+-]+\+)?(json|xml|javascript|x-www-form-urlencoded))/i;

class BodyTooLarge extends Error {}

function errorBody(code: string, message: string, details?: Record<string, unknown>): string {
  return JSON.stringify({ error: { code, message, ...(details ? { details } : {}) } });
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

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
  body: Buffer,
  requestId: string,
): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers = joinedHeaders(req);
  const cookies = req.headers.cookie?.split(/;\s*/).filter(Boolean);
  const text = body.length === 0 || TEXT_BODY.test(headers['content-type'] ?? '');
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies?.length ? { cookies } : {}),
    headers,
    ...(url.search ? { queryStringParameters: queryParameters(url.searchParams) } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
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

async function serve(req: IncomingMessage, res: ServerResponse, options: HttpServerOptions): Promise<void> {
  const requestId = randomUUID();
  res.setHeader('x-request-id', requestId);
  let body: Buffer;
  try {
    body = await readBody(req, options.maxBodyBytes);
  } catch (error) {
    if (!(error instanceof BodyTooLarge)) throw error;
    // The rest of an oversized upload is not read; closing the connection stops the client.
    res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
    res.end(
      errorBody('PAYLOAD_TOO_LARGE', `request body exceeds the limit of ${options.maxBodyBytes} bytes`),
    );
    return;
  }
  const result = await options.handler(toApiGatewayEvent(req, body, requestId), lambdaContext(requestId));
  writeResult(res, result);
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const server = createServer((req, res) => {
    serve(req, res, options).catch((error: unknown) => {
      const requestId = String(res.getHeader('x-request-id') ?? '');
      options.log.error('api request crashed', {
        requestId,
        error: error instanceof Error ? error.message : String(error),
      });
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(errorBody('INTERNAL', `internal error (request id ${requestId})`, { requestId }));
    });
  });
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
