/**
 * The console's client of the HTTP API, on the same origin (`serve` locally, CloudFront in front
 * of the HTTP API on AWS). Every request and reply type is the contract's own
 * (#shared/http/api-contract.ts, imported for types only, so no schema code ships to the
 * browser); errors arrive in the API's `{"error":{"code","message"}}` shape.
 */
import type * as z from 'zod';
import type { operations, ReplyBody } from '#shared/http/api-contract.ts';
import type { ErrorBody } from '#shared/http/api-replies.ts';
import { readToken } from './session-token.ts';

type Ops = typeof operations;

export type ClusterList = ReplyBody<Ops['listClusters'], 200>;
export type ClusterItem = ClusterList['items'][number];
export type ClusterStatus = NonNullable<ClusterItem['status']>;
export type Job = ReplyBody<Ops['getUpgrade'], 200>;
export type JobState = Job['state'];
export type JobList = ReplyBody<Ops['listUpgrades'], 200>;
export type JobEvent = ReplyBody<Ops['listUpgradeEvents'], 200>['items'][number];
export type Batch = ReplyBody<Ops['getBatch'], 200>;
export type BatchState = Batch['state'];
export type Wave = Batch['waves'][number];
export type BatchCluster = Wave['clusters'][number];
export type ClusterRolloutState = BatchCluster['state'];
export type BatchSummary = ReplyBody<Ops['listBatches'], 200>['items'][number];
export type BatchEvent = ReplyBody<Ops['listBatchEvents'], 200>['items'][number];
export type Rehearsal = ReplyBody<Ops['createBatch'], 200>;
/** A batch request as a client writes it (defaults left to the server). */
export type BatchRequest = z.input<Ops['createBatch']['body']['schema']>;
export type BatchCommand = 'pause' | 'resume' | 'cancel' | 'approve';
type CommandBody<C extends BatchCommand> = z.input<NonNullable<Ops[`${C}Batch`]['body']>['schema']>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Told when the API refuses the token, so the app can ask for another. */
let onUnauthorized: () => void = () => undefined;
export function whenUnauthorized(callback: () => void): void {
  onUnauthorized = callback;
}

/** A request that never got an answer (network down, API gone) says where it went and why. */
async function send(path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(path, init);
  } catch (failure) {
    const reason = failure instanceof Error ? failure.message : String(failure);
    throw new ApiError(0, 'API_UNREACHABLE', `cannot reach the API at ${location.origin}: ${reason}`);
  }
}

async function call<T>(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  extra: Record<string, string> = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...extra };
  const token = readToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await send(path, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  // Before parsing: a proxy's 401 (CloudFront, an authorizer) need not be JSON.
  if (response.status === 401) onUnauthorized();
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ApiError(
      response.status,
      'NOT_JSON',
      `${method} ${path} answered ${response.status} without JSON`,
    );
  }
  if (response.ok) return parsed as T;
  const error = (parsed as Partial<ErrorBody> | undefined)?.error;
  throw new ApiError(
    response.status,
    error?.code ?? `HTTP_${response.status}`,
    error?.message ?? `${method} ${path} answered ${response.status}`,
  );
}

const id = (value: string) => encodeURIComponent(value);

export const api = {
  fleet: (selector: string) => {
    const search = new URLSearchParams({ include: 'status', ...(selector ? { selector } : {}) });
    return call<ClusterList>('GET', `/clusters?${search}`);
  },
  jobs: (query: { cluster?: string; batch?: string; limit?: number } = {}) => {
    const search = new URLSearchParams(
      Object.entries(query).flatMap(([key, value]) => (value === undefined ? [] : [[key, String(value)]])),
    );
    return call<JobList>('GET', `/upgrades${search.size ? `?${search}` : ''}`);
  },
  job: (jobId: string) => call<Job>('GET', `/upgrades/${id(jobId)}`),
  jobEvents: (jobId: string) =>
    call<ReplyBody<Ops['listUpgradeEvents'], 200>>('GET', `/upgrades/${id(jobId)}/events`),
  cancelJob: (jobId: string, note?: string) =>
    call<ReplyBody<Ops['cancelUpgrade'], 202>>('POST', `/upgrades/${id(jobId)}/cancel`, note ? { note } : {}),
  batches: () => call<ReplyBody<Ops['listBatches'], 200>>('GET', '/batches?limit=100'),
  batch: (batchId: string) => call<Batch>('GET', `/batches/${id(batchId)}`),
  batchEvents: (batchId: string) =>
    call<ReplyBody<Ops['listBatchEvents'], 200>>('GET', `/batches/${id(batchId)}/events`),
  rehearse: (request: BatchRequest) => call<Rehearsal>('POST', '/batches', { ...request, dryRun: true }),
  /** The key makes a retried start (a timeout, a double click) answer the same batch. */
  startBatch: (request: BatchRequest, idempotencyKey: string) =>
    call<ReplyBody<Ops['createBatch'], 202>>(
      'POST',
      '/batches',
      { ...request, dryRun: false },
      { 'idempotency-key': idempotencyKey },
    ),
  command: <C extends BatchCommand>(batchId: string, command: C, body: CommandBody<C>) =>
    call<Batch>('POST', `/batches/${id(batchId)}/${command}`, body),
};
