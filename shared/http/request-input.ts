/**
 * Reading a request's inputs through zod schemas. Every failure is a 4xx with the JSON error
 * shape: 413 for a body over the limit, 415 for a non-JSON body, 400 for malformed JSON and for
 * values that do not fit the schema (details list every issue with its path).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from 'zod';
import { ValidationError } from '#domain/errors.ts';
import { HttpError } from './http-error.ts';

const JSON_MEDIA_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

type Where = 'body' | 'query' | 'path' | 'header';

export function validated<T extends z.ZodType>(schema: T, value: unknown, where: Where): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const first = issues[0];
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw new ValidationError(`${first?.path}: ${first?.message}${more}`, { details: { issues } });
}

export function bodyBytes(event: APIGatewayProxyEventV2): Buffer {
  const raw = event.body ?? '';
  return event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
}

/** 415 unless the body is declared JSON; for routes that must read the raw bytes before parsing them. */
export function requireJsonMediaType(event: APIGatewayProxyEventV2): void {
  const contentType = event.headers?.['content-type'] ?? '';
  if (!JSON_MEDIA_TYPE.test(contentType)) {
    throw new HttpError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'send the body as JSON with Content-Type: application/json',
      {
        details: { contentType: contentType || null },
      },
    );
  }
}

export function readJsonBody<T extends z.ZodType>(
  event: APIGatewayProxyEventV2,
  schema: T,
  maxBytes: number,
): z.output<T> {
  const bytes = bodyBytes(event);
  if (bytes.length > maxBytes) {
    throw new HttpError(
      413,
      'PAYLOAD_TOO_LARGE',
      `request body is ${bytes.length} bytes; the limit is ${maxBytes}`,
    );
  }
  requireJsonMediaType(event);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new HttpError(400, 'INVALID_JSON', `request body is not valid JSON: ${(error as Error).message}`);
  }
  return validated(schema, value, 'body');
}

export function readQuery<T extends z.ZodType>(event: APIGatewayProxyEventV2, schema: T): z.output<T> {
  return validated(schema, event.queryStringParameters ?? {}, 'query');
}

export function readPathParameters<T extends z.ZodObject>(
  event: APIGatewayProxyEventV2,
  schema: T,
): z.output<T> {
  return validated(schema, event.pathParameters ?? {}, 'path');
}

/** One header (names are case-insensitive; API Gateway and the local server pass them in lower case). */
export function readHeader<T extends z.ZodType>(
  event: APIGatewayProxyEventV2,
  name: string,
  schema: T,
): z.output<T> {
  return validated(schema, event.headers?.[name.toLowerCase()], 'header');
}
