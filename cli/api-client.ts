/**
 * The CLI's side of the HTTP API (docs/architecture.md §11): the commands that talk to a running runtime
 * do it through this, never through its stores, so they work against any deployment. Requests
 * and replies go through the operations of shared/http/api-contract.ts, the schemas the server
 * validates with and is tested against: nothing unchecked reaches a command. API errors come
 * back as the error classes the server mapped them from, so exit codes follow cli/exit-codes.ts
 * whether a check failed locally or on the server.
 */
import type * as z from 'zod';
import {
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
import { type Operation, operations } from '#shared/http/api-contract.ts';
import {
  type ClusterView,
  clusterListSchema,
  clusterViewSchema,
  errorBodySchema,
  type JobView,
  jobListSchema,
  jobViewSchema,
} from '#shared/http/api-replies.ts';
import {
  type BatchSummaryReply,
  type BatchViewReply,
  type batchEventSchema,
  batchListSchema,
  batchViewSchema,
  type RehearsalReply,
  rehearsalSchema,
} from '#shared/http/batch-replies.ts';
import type {
  createBatchBody,
  createUpgradeBody,
  listUpgradesQuery,
  putClusterBody,
} from '#shared/http/schemas.ts';
import { type ApiTarget, TOKEN_ENV, URL_ENV } from './api-target.ts';

const REQUEST_TIMEOUT_MS = 15_000;
/** How many schema issues a malformed reply's one-line error quotes. */
const ISSUES_IN_MESSAGE = 3;

/** How a one-line error names what a reply should have been. */
const REPLY_NAMES = new Map<z.ZodType, string>([
  [jobViewSchema, 'an upgrade job'],
  [jobListSchema, 'a list of upgrade jobs'],
  [clusterViewSchema, 'a cluster record'],
  [clusterListSchema, 'a list of clusters'],
  [batchViewSchema, 'a batch'],
  [batchListSchema, 'a list of batches'],
  [rehearsalSchema, 'a rehearsal'],
]);

export type StartUpgradeInput = z.input<typeof createUpgradeBody>;
export type StartBatchInput = z.input<typeof createBatchBody>;
export type BatchEventReply = z.output<typeof batchEventSchema>;
export const BATCH_COMMANDS = ['pause', 'resume', 'cancel', 'approve'] as const;
export type BatchCommandName = (typeof BATCH_COMMANDS)[number];
export type ListUpgradesInput = z.output<typeof listUpgradesQuery>;
export type ClusterFields = z.input<typeof putClusterBody>;

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
    `cannot reach the redis-upgrader API at ${baseUrl} (${why}): start it with \`redis-upgrader serve\`, or point --api / $${URL_ENV} at it`,
    { cause: error },
  );
}

/** What an operation answers when it succeeds (any of its declared replies). */
export type ReplyOf<O extends Operation> = {
  [S in keyof O['replies']]: O['replies'][S] extends { schema: infer T extends z.ZodType }
    ? z.output<T>
    : never;
}[keyof O['replies']];

export interface RequestInput {
  params?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  body?: unknown;
}

function pathOf(op: Operation, input: RequestInput): string {
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(input.params?.[name] ?? ''),
  );
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(input.query ?? {})) {
    if (value !== undefined) query.set(key, String(value));
  }
  return query.size > 0 ? `${path}?${query}` : path;
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

export class ApiClient {
  readonly #target: ApiTarget;

  constructor(target: ApiTarget) {
    this.#target = target;
  }

  get baseUrl(): string {
    return this.#target.baseUrl;
  }

  async startUpgrade(body: StartUpgradeInput): Promise<JobView> {
    return (await this.#call(operations.createUpgrade, { body })).reply;
  }

  async getUpgrade(id: string): Promise<JobView> {
    return (await this.#call(operations.getUpgrade, { params: { id } })).reply;
  }

  async listUpgrades(query: ListUpgradesInput = {}): Promise<JobView[]> {
    return (await this.#call(operations.listUpgrades, { query })).reply.items;
  }

  async cancelUpgrade(id: string, note?: string): Promise<JobView> {
    const body = note === undefined ? {} : { note };
    return (await this.#call(operations.cancelUpgrade, { params: { id }, body })).reply;
  }

  async listClusters(): Promise<ClusterView[]> {
    return (await this.#call(operations.listClusters)).reply.items;
  }

  async getCluster(name: string): Promise<ClusterView> {
    return (await this.#call(operations.getCluster, { params: { name } })).reply;
  }

  /** Registers the cluster or replaces its whole record; `created` tells which. */
  async putCluster(name: string, fields: ClusterFields): Promise<{ cluster: ClusterView; created: boolean }> {
    const { status, reply } = await this.#call(operations.putCluster, { params: { name }, body: fields });
    return { cluster: reply, created: status === 201 };
  }

  /**
   * Starts a rollout, or rehearses it (`dryRun`): the rehearsal comes back with 200, the batch
   * with 202. The Idempotency-Key makes a retried start return the batch it created.
   */
  async startBatch(
    body: StartBatchInput,
    idempotencyKey?: string,
  ): Promise<{ rehearsal: RehearsalReply } | { batch: BatchViewReply }> {
    const headers = idempotencyKey ? { 'idempotency-key': idempotencyKey } : undefined;
    const { status, reply } = await this.#call(operations.createBatch, {
      body,
      ...(headers ? { headers } : {}),
    });
    return status === 200 ? { rehearsal: reply as RehearsalReply } : { batch: reply as BatchViewReply };
  }

  async getBatch(id: string): Promise<BatchViewReply> {
    return (await this.#call(operations.getBatch, { params: { id } })).reply;
  }

  async listBatches(): Promise<BatchSummaryReply[]> {
    return (await this.#call(operations.listBatches)).reply.items;
  }

  async listBatchEvents(id: string): Promise<BatchEventReply[]> {
    return (await this.#call(operations.listBatchEvents, { params: { id } })).reply.items;
  }

  /** pause, resume, cancel or approve; the batch after the command. */
  async commandBatch(command: BatchCommandName, id: string, body: object = {}): Promise<BatchViewReply> {
    const op = operations[`${command}Batch`];
    return (await this.#call(op, { params: { id }, body })).reply;
  }

  /** Any operation of the contract (the webhook commands' client, cli/webhook-api.ts, goes through this). */
  send<O extends Operation>(op: O, input: RequestInput = {}): Promise<{ status: number; reply: ReplyOf<O> }> {
    return this.#call(op, input);
  }

  /** Sends one request of `op` and reads its reply through the schema the contract declares for its status. */
  async #call<O extends Operation>(
    op: O,
    input: RequestInput = {},
  ): Promise<{ status: number; reply: ReplyOf<O> }> {
    const path = pathOf(op, input);
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.#target.baseUrl}${path}`, {
        method: op.method,
        headers: {
          ...(this.#target.token ? { authorization: `Bearer ${this.#target.token}` } : {}),
          accept: 'application/json',
          ...(input.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...input.headers,
        },
        ...(input.body === undefined ? {} : { body: JSON.stringify(input.body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      text = await response.text();
    } catch (error) {
      throw unreachable(this.#target.baseUrl, error);
    }
    const parsed = parseJson(text);
    if (!response.ok) throw errorFor(response.status, parsed);
    const answered = `the API at ${this.#target.baseUrl} answered ${op.method} ${path}`;
    const schema = op.replies[response.status]?.schema;
    if (schema === undefined) {
      throw new UpgraderError(
        'API_REPLY_INVALID',
        `${answered} with HTTP ${response.status}, which it never does`,
      );
    }
    if (parsed === undefined) throw new UpgraderError('API_ERROR', `${answered} without JSON`);
    const checked = schema.safeParse(parsed, { error: replyErrorMap });
    if (!checked.success) {
      const what = REPLY_NAMES.get(schema) ?? `the ${op.id} reply`;
      throw new UpgraderError(
        'API_REPLY_INVALID',
        `${answered} with a reply that is not ${what}: ${describeIssues(checked.error)}`,
      );
    }
    return { status: response.status, reply: checked.data as ReplyOf<O> };
  }
}
