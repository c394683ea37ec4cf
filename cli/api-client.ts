/**
 * The CLI's side of the HTTP API (DESIGN.md 4.5): `upgrade`, `status` and `demo` talk to a
 * running runtime through this, never to its stores, so they work against any deployment.
 * API errors come back as the error classes the server mapped them from, so exit codes follow
 * cli/exit-codes.ts whether a check failed locally or on the server.
 */
import type { z } from 'zod';
import {
  ConfigError,
  ConflictError,
  NotFoundError,
  PLAN_ERROR_CODES,
  PlanError,
  type PlanErrorCode,
  TransientError,
  UnauthorizedError,
  UpgraderError,
  ValidationError,
} from '#domain/errors.ts';
import { clusterRecordSchema } from '#shared/cluster-schema.ts';
import { errorBodySchema, type JobView, jobListSchema, jobViewSchema } from '#shared/http/api-replies.ts';
import { BEARER_TOKEN } from '#shared/http/bearer-token.ts';
import type { createUpgradeBody, putClusterBody } from '#shared/http/schemas.ts';

export const API_ENV = 'REDIS_UPGRADER_API';
export const TOKEN_ENV = 'REDIS_UPGRADER_TOKEN';
/** The variable `serve` reads, accepted too so one shell can run both ends. */
const SERVER_TOKEN_ENV = 'REDIS_UPGRADER_API_TOKEN';
export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

const REQUEST_TIMEOUT_MS = 15_000;
/** How many schema issues a malformed reply's one-line error quotes. */
const ISSUES_IN_MESSAGE = 3;

/** What each call expects back, and how its one-line error names it. */
const REPLIES = {
  job: { schema: jobViewSchema, what: 'an upgrade job' },
  jobs: { schema: jobListSchema, what: 'a list of upgrade jobs' },
  cluster: { schema: clusterRecordSchema, what: 'a cluster record' },
};

export type StartUpgradeInput = z.input<typeof createUpgradeBody>;
export type ClusterFields = z.input<typeof putClusterBody>;

export interface ApiTarget {
  baseUrl: string;
  token: string;
}

type Env = Record<string, string | undefined>;

/** Where the token came from, so an error can name it without showing it. */
function tokenFrom(flags: { token?: string }, env: Env): { token: string | undefined; source: string } {
  if (flags.token) return { token: flags.token, source: '--token' };
  if (env[TOKEN_ENV]) return { token: env[TOKEN_ENV], source: `$${TOKEN_ENV}` };
  return { token: env[SERVER_TOKEN_ENV], source: `$${SERVER_TOKEN_ENV}` };
}

/** Flags first, then the environment; a missing or malformed token is a usage problem (exit 2), caught before any request. */
export function resolveApiTarget(flags: { api?: string; token?: string }, env: Env = process.env): ApiTarget {
  const baseUrl = flags.api || env[API_ENV] || DEFAULT_API_URL;
  if (!URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol)) {
    throw new ConfigError(`API URL ${JSON.stringify(baseUrl)} is not an http(s) URL (--api or $${API_ENV})`);
  }
  const url = new URL(baseUrl);
  if (url.username || url.password) {
    throw new ConfigError(
      `the API URL (--api or $${API_ENV}) must not carry credentials: pass the token with --token or $${TOKEN_ENV}`,
    );
  }
  const { token, source } = tokenFrom(flags, env);
  if (!token) {
    throw new ConfigError(
      `no API token: pass --token or set $${TOKEN_ENV} (the token \`redis-upgrader serve\` printed)`,
    );
  }
  // Never echo the value: a near-miss is still most of a secret.
  if (!BEARER_TOKEN.test(token)) {
    throw new ConfigError(
      `the API token in ${source} is not a valid bearer token (only letters, digits and -._~+/, then = padding; no spaces or line breaks): set it again, the value is not shown`,
    );
  }
  return { baseUrl: baseUrl.replace(/\/+$/, ''), token };
}

function isPlanErrorCode(code: string): code is PlanErrorCode {
  return (PLAN_ERROR_CODES as readonly string[]).includes(code);
}

function errorFor(status: number, reply: unknown): UpgraderError {
  const body = errorBodySchema.safeParse(reply);
  const code = body.success ? body.data.error.code : `HTTP_${status}`;
  const message = body.success
    ? body.data.error.message
    : `the API answered HTTP ${status} without the error shape`;
  if (isPlanErrorCode(code)) return new PlanError(code, message);
  if (status === 401 || status === 403)
    return new UnauthorizedError(`${message} (check --token / $${TOKEN_ENV})`);
  if (status === 404) return new NotFoundError(message);
  if (status === 409) return new ConflictError(message, { code });
  if (status >= 400 && status < 500) return new ValidationError(message, { code });
  if (status === 503) return new TransientError(message);
  return new UpgraderError(code, message);
}

/** zod's wording, except that a missing field says so instead of "received undefined". */
const replyErrorMap: z.core.$ZodErrorMap = (issue) =>
  issue.code === 'invalid_type' && issue.input === undefined ? 'missing' : undefined;

/** One line naming the first few fields at fault, e.g. `id: Invalid input: expected string, received number; cluster: missing`. */
function describeIssues(error: z.ZodError): string {
  const shown = error.issues
    .slice(0, ISSUES_IN_MESSAGE)
    .map((issue) => `${issue.path.join('.') || '(the whole reply)'}: ${issue.message}`);
  const more = error.issues.length - shown.length;
  return `${shown.join('; ')}${more > 0 ? ` (and ${more} more)` : ''}`;
}

function unreachable(baseUrl: string, error: unknown): UpgraderError {
  // Codes and names only: the message of a refused request can quote its headers, the token with them.
  const cause = (error as { cause?: { code?: string } }).cause?.code;
  const why = (error as Error).name === 'TimeoutError' ? 'timed out' : (cause ?? (error as Error).name);
  return new UpgraderError(
    'API_UNREACHABLE',
    `cannot reach the redis-upgrader API at ${baseUrl} (${why}): start it with \`redis-upgrader serve\`, or point --api / $${API_ENV} at it`,
    { cause: error },
  );
}

export class ApiClient {
  readonly #target: ApiTarget;

  constructor(target: ApiTarget) {
    this.#target = target;
  }

  get baseUrl(): string {
    return this.#target.baseUrl;
  }

  startUpgrade(input: StartUpgradeInput): Promise<JobView> {
    return this.#request('POST', '/upgrades', REPLIES.job, input);
  }

  getUpgrade(id: string): Promise<JobView> {
    return this.#request('GET', `/upgrades/${encodeURIComponent(id)}`, REPLIES.job);
  }

  async listUpgrades(query: { cluster?: string; limit?: number } = {}): Promise<JobView[]> {
    const search = new URLSearchParams();
    if (query.cluster) search.set('cluster', query.cluster);
    if (query.limit) search.set('limit', String(query.limit));
    const suffix = search.size > 0 ? `?${search}` : '';
    return (await this.#request('GET', `/upgrades${suffix}`, REPLIES.jobs)).items;
  }

  putCluster(name: string, fields: ClusterFields): Promise<z.output<typeof clusterRecordSchema>> {
    return this.#request('PUT', `/clusters/${encodeURIComponent(name)}`, REPLIES.cluster, fields);
  }

  /** Sends one request and reads its reply through `reply.schema`: nothing unchecked reaches a command. */
  async #request<S extends z.ZodType>(
    method: string,
    path: string,
    reply: { schema: S; what: string },
    body?: unknown,
  ): Promise<z.output<S>> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.#target.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#target.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      text = await response.text();
    } catch (error) {
      throw unreachable(this.#target.baseUrl, error);
    }
    const parsed = parseJson(text);
    if (!response.ok) throw errorFor(response.status, parsed);
    const answered = `the API at ${this.#target.baseUrl} answered ${method} ${path}`;
    if (parsed === undefined) throw new UpgraderError('API_ERROR', `${answered} without JSON`);
    const checked = reply.schema.safeParse(parsed, { error: replyErrorMap });
    if (!checked.success) {
      throw new UpgraderError(
        'API_REPLY_INVALID',
        `${answered} with a reply that is not ${reply.what}: ${describeIssues(checked.error)}`,
      );
    }
    return checked.data;
  }
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}
