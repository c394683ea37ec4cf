/**
 * The one place errors become HTTP responses. Every error body is
 * `{"error":{"code","message","details"?}}`. Only errors raised on purpose (UpgraderError
 * subclasses that describe the caller's request) show their message; anything else is a 500 that
 * says "internal error" with the request id, while the full error goes to the log.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  CatalogError,
  ConfigError,
  ConflictError,
  NotFoundError,
  PlanError,
  TransientError,
  UnauthorizedError,
  type UpgraderError,
  ValidationError,
} from '#domain/errors.ts';
import type { Log } from '#shared/ports.ts';
import type { ErrorBody } from './api-replies.ts';
import { HttpError } from './http-error.ts';
import { json } from './responses.ts';

/** Seconds a client should wait after a 503 before retrying. */
export const RETRY_AFTER_SECONDS = 5;

interface Mapped {
  status: number;
  headers?: Record<string, string>;
}

/** Status for errors whose message is meant for the caller; undefined for internal ones. */
function statusOf(error: unknown): Mapped | undefined {
  if (error instanceof HttpError) return { status: error.status, headers: error.headers };
  if (error instanceof UnauthorizedError) return { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } };
  if (error instanceof PlanError) return { status: error.code === 'INVALID_VERSION' ? 400 : 422 };
  // Our own catalog or configuration being unusable is not the caller's fault.
  if (error instanceof CatalogError || error instanceof ConfigError) return undefined;
  if (error instanceof ValidationError) return { status: 400 };
  if (error instanceof NotFoundError) return { status: 404 };
  // The IETF Idempotency-Key draft answers a key reused for another request with 422.
  if (error instanceof ConflictError) return { status: error.code === 'IDEMPOTENCY_KEY_REUSED' ? 422 : 409 };
  if (error instanceof TransientError)
    return { status: 503, headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } };
  return undefined;
}

export function errorResponse(
  error: unknown,
  requestId: string,
  log: Log,
): APIGatewayProxyStructuredResultV2 {
  const mapped = statusOf(error);
  if (!mapped) {
    log.error('request failed', { requestId, error: error instanceof Error ? error : String(error) });
    const body: ErrorBody = {
      error: {
        code: 'INTERNAL',
        message: `internal error (request id ${requestId})`,
        details: { requestId },
      },
    };
    return json(500, body);
  }
  const known = error as UpgraderError;
  const level = mapped.status >= 500 ? 'error' : 'info';
  // `reason`, not `message`: the Powertools logger reserves `message` and would drop it.
  log[level]('request refused', {
    requestId,
    status: mapped.status,
    code: known.code,
    reason: known.message,
  });
  const body: ErrorBody = {
    error: { code: known.code, message: known.message, ...(known.details ? { details: known.details } : {}) },
  };
  return json(mapped.status, body, mapped.headers);
}
