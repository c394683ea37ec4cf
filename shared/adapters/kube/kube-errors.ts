/**
 * The one place where Kubernetes client failures become our typed errors, and where the retry
 * policy for cluster calls lives: 408, 429, 5xx, timeouts and network errors are retried with
 * exponential backoff (honouring Retry-After); other 4xx are answers, not accidents, and are not.
 */
import pRetry from 'p-retry';
import {
  ConflictError,
  errorMessage,
  NotFoundError,
  TransientError,
  UnauthorizedError,
  UpgraderError,
  ValidationError,
} from '#domain/errors.ts';
import { KubeHttpError } from './kube-connections.ts';

export interface RetryPolicy {
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
  /** Per-attempt deadline; a request that outlives it counts as a timeout. */
  requestTimeoutMs: number;
  /** Retry-After values above this are capped, so one hostile header cannot park a worker. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 5,
  minTimeoutMs: 200,
  maxTimeoutMs: 5_000,
  requestTimeoutMs: 15_000,
  maxRetryAfterMs: 30_000,
};

function statusMessage(body: unknown): string | undefined {
  if (typeof body === 'string') {
    try {
      return statusMessage(JSON.parse(body));
    } catch {
      return body.slice(0, 300) || undefined;
    }
  }
  if (body && typeof body === 'object' && 'message' in body && typeof body.message === 'string') {
    return body.message;
  }
  return undefined;
}

export function toUpgraderError(error: unknown, what: string): UpgraderError {
  if (error instanceof UpgraderError) return error;
  if (error instanceof KubeHttpError) {
    const detail = statusMessage(error.body) ?? `HTTP ${error.status}`;
    const message = `${what}: ${detail}`;
    switch (error.status) {
      case 401:
      case 403:
        return new UnauthorizedError(message, { cause: error });
      case 404:
        return new NotFoundError(message, { cause: error });
      case 409:
        return new ConflictError(message, { cause: error, code: 'CLUSTER_CONFLICT' });
      // 410 is an expired continue token: repeating the request cannot help (see shouldRetry),
      // but the whole read started afresh later will.
      case 408:
      case 410:
      case 429:
        return new TransientError(message, { cause: error, details: { status: error.status } });
      default:
        if (error.status >= 400 && error.status < 500) {
          return new ValidationError(message, { cause: error, code: 'CLUSTER_REJECTED' });
        }
        return new TransientError(message, { cause: error, details: { status: error.status } });
    }
  }
  // Network errors, resets and our own request timeouts: worth another try.
  const reason = errorMessage(error);
  return new TransientError(`${what}: ${reason}`, { cause: error });
}

/** Retry-After is delta-seconds or an HTTP date (RFC 9110 10.2.3). */
function retryAfterMs(error: UpgraderError, policy: RetryPolicy): number {
  const cause = error.cause;
  if (!(cause instanceof KubeHttpError) || cause.status !== 429) return 0;
  const header = String(cause.headers['retry-after'] ?? '').trim();
  if (!header) return 0;
  const ms = /^\d+(\.\d+)?$/.test(header) ? Number(header) * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), policy.maxRetryAfterMs) : 0;
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TransientError(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Runs one cluster call under the retry policy; failures come out as typed errors. */
export function callCluster<T>(what: string, call: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  return pRetry(
    async () => {
      try {
        return await withDeadline(call(), policy.requestTimeoutMs, what);
      } catch (error) {
        throw toUpgraderError(error, what);
      }
    },
    {
      retries: policy.retries,
      minTimeout: policy.minTimeoutMs,
      maxTimeout: policy.maxTimeoutMs,
      randomize: true,
      shouldRetry: ({ error }) => error instanceof TransientError && error.details?.status !== 410,
      onFailedAttempt: async ({ error, retriesLeft }) => {
        const wait = error instanceof UpgraderError && retriesLeft > 0 ? retryAfterMs(error, policy) : 0;
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      },
    },
  );
}
