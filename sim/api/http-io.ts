import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorMessage } from '#domain/errors.ts';
import { badRequest, SimApiError } from '#sim/store/api-error.ts';

/** What a real apiserver accepts per request body (etcd's 1.5 MiB object limit, with room). */
const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
    ...headers,
  });
  res.end(text);
}

export function sendError(
  res: ServerResponse,
  error: SimApiError,
  headers: Record<string, string> = {},
): void {
  sendJson(res, error.code, error.status, headers);
}

export function unauthorized(): SimApiError {
  return new SimApiError(401, 'Unauthorized', 'Unauthorized');
}

export function resourceNotFound(): SimApiError {
  return new SimApiError(404, 'NotFound', 'the server could not find the requested resource');
}

export function methodNotAllowed(): SimApiError {
  return new SimApiError(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
  );
}

export function unsupportedMediaType(contentType: string, accepted: string[]): SimApiError {
  return new SimApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}${contentType ? '' : ' (no Content-Type sent)'}`,
  );
}

export function internalError(message: string): SimApiError {
  return new SimApiError(500, 'InternalError', `Internal error occurred: ${message}`);
}

export function tooManyRequests(retryAfterSeconds: number): SimApiError {
  return new SimApiError(429, 'TooManyRequests', 'Too many requests, please try again later.', {
    retryAfterSeconds,
  });
}

/** The media type without parameters: `application/json; charset=utf-8` -> `application/json`. */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES)
      throw new SimApiError(413, 'RequestEntityTooLarge', 'request entity too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badRequest(`the object provided is unrecognized: ${(error as Error).message}`);
  }
}

/** Responds with the error as a Kubernetes Status, whatever was thrown. */
export function sendFailure(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof SimApiError) sendError(res, error);
  else sendError(res, internalError(errorMessage(error)));
}
