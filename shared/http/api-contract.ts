/**
 * Every operation of the HTTP API, declared once: method, path, the request schemas (path, query,
 * headers, body), the replies by status and the refusals the operation can answer. The router's
 * routes are built on these (route.ts), the API tests check every reply against them, the CLI
 * sends its requests and parses its replies through them, and the OpenAPI document is generated
 * from them (openapi.ts).
 */
import * as z from 'zod';
import { releaseBodySchema } from '#domain/webhooks/release.ts';
import {
  clusterListSchema,
  clusterViewSchema,
  healthSchema,
  jobEventListSchema,
  jobListSchema,
  jobViewSchema,
  openApiDocumentSchema,
  planViewSchema,
} from './api-replies.ts';
import { batchEventListSchema, batchListSchema, batchViewSchema, rehearsalSchema } from './batch-replies.ts';
import {
  approveBatchBody,
  batchPathParameters,
  cancelBatchBody,
  cancelUpgradeBody,
  clusterPathParameters,
  createBatchBody,
  createUpgradeBody,
  createUpgradeHeaders,
  jobPathParameters,
  listBatchesQuery,
  listClustersQuery,
  listUpgradesQuery,
  pauseBatchBody,
  planQuery,
  putClusterBody,
  resumeBatchBody,
} from './schemas.ts';
import {
  createEndpointBody,
  deliveriesQuery,
  deliveryListSchema,
  deliveryPathParameters,
  deliveryViewSchema,
  endpointListSchema,
  endpointPathParameters,
  endpointViewSchema,
  endpointWithSecretSchema,
  releaseHeaders,
  releaseOutcomeSchema,
  rotatedSecretSchema,
  rotateSecretBody,
} from './webhook-schemas.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

/** A refusal's status and what it means for this operation. */
export type Refusals = Partial<Record<400 | 401 | 404 | 409 | 413 | 415 | 422 | 500 | 503, string>>;

export interface Reply {
  description: string;
  schema: z.ZodType;
  headers?: z.ZodObject;
}

export interface Operation {
  /** The OpenAPI operationId. */
  id: string;
  method: Method;
  /** API Gateway style: `/upgrades/{id}`. */
  path: string;
  summary: string;
  /** Reachable without credentials (health checks, the API's own description). */
  public?: true;
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: { schema: z.ZodType; optional?: true };
  replies: Readonly<Record<number, Reply>>;
  /** Refusals particular to this operation; those every operation of its kind can give are added by refusalsOf. */
  refusals?: Refusals;
}

const operation = <const O extends Operation>(spec: O): O => spec;

const location = (what: string) => z.object({ Location: z.string().describe(`The path of the ${what}.`) });
const UNAVAILABLE = 'A store the API depends on failed transiently; retry after `Retry-After` seconds.';

/** `POST /batches/{id}/<command>`: the same shape for every command but its body. */
function batchCommand<const C extends string, B extends z.ZodType>(command: C, body: B, summary: string) {
  const op = operation({
    id: `${command}Batch`,
    method: 'POST',
    path: `/batches/{id}/${command}`,
    summary,
    params: batchPathParameters,
    body: { schema: body, optional: true },
    replies: { 202: { description: 'The batch after the command.', schema: batchViewSchema } },
    refusals: {
      404: 'No such batch.',
      409: 'The command cannot apply now (the code says why: BATCH_FINISHED, HALTED, NOT_AWAITING_APPROVAL, BATCH_CHANGED).',
      503: UNAVAILABLE,
    },
  });
  return { [`${command}Batch`]: op } as Record<`${C}Batch`, typeof op>;
}

export const operations = {
  health: operation({
    id: 'getHealth',
    method: 'GET',
    path: '/healthz',
    summary: 'Uptime probe: a static status, no data',
    public: true,
    replies: { 200: { description: 'The API is up.', schema: healthSchema } },
  }),
  openApi: operation({
    id: 'getOpenApiDocument',
    method: 'GET',
    path: '/openapi.json',
    summary: 'This document',
    public: true,
    replies: { 200: { description: 'The OpenAPI 3.1 document of the API.', schema: openApiDocumentSchema } },
  }),
  createUpgrade: operation({
    id: 'createUpgrade',
    method: 'POST',
    path: '/upgrades',
    summary: 'Start an upgrade of one registered cluster',
    headers: createUpgradeHeaders,
    body: { schema: createUpgradeBody },
    replies: {
      202: {
        description: 'The job, queued (or, for a replayed Idempotency-Key, the job it created).',
        schema: jobViewSchema,
        headers: location('job').extend({
          'Idempotent-Replayed': z.literal('true').optional().describe('Set when the key was seen before.'),
        }),
      },
    },
    refusals: {
      404: 'The cluster is not registered.',
      409: 'The cluster has an active job (details.jobId names it).',
      422: 'The Idempotency-Key was used for another request (IDEMPOTENCY_KEY_REUSED).',
      503: UNAVAILABLE,
    },
  }),
  listUpgrades: operation({
    id: 'listUpgrades',
    method: 'GET',
    path: '/upgrades',
    summary: 'List upgrade jobs, newest first, filtered by cluster, state and batch',
    query: listUpgradesQuery,
    replies: { 200: { description: 'The matching jobs.', schema: jobListSchema } },
    refusals: { 503: UNAVAILABLE },
  }),
  getUpgrade: operation({
    id: 'getUpgrade',
    method: 'GET',
    path: '/upgrades/{id}',
    summary: 'One upgrade job: state, plan, what it waits for, why it ended, its transitions',
    params: jobPathParameters,
    replies: { 200: { description: 'The job.', schema: jobViewSchema } },
    refusals: { 404: 'No such job.', 503: UNAVAILABLE },
  }),
  listUpgradeEvents: operation({
    id: 'listUpgradeEvents',
    method: 'GET',
    path: '/upgrades/{id}/events',
    summary: "The job's recorded state-change events (empty where the deployment keeps none)",
    params: jobPathParameters,
    replies: { 200: { description: 'The events, oldest first.', schema: jobEventListSchema } },
    refusals: { 404: 'No such job.', 503: UNAVAILABLE },
  }),
  cancelUpgrade: operation({
    id: 'cancelUpgrade',
    method: 'POST',
    path: '/upgrades/{id}/cancel',
    summary: 'Cancel a job: at once before the hop’s point of no return, else once that hop is verified',
    params: jobPathParameters,
    body: { schema: cancelUpgradeBody, optional: true },
    replies: {
      202: {
        description: 'The job: `cancelled`, or still active with `cancelRequested`.',
        schema: jobViewSchema,
      },
    },
    refusals: {
      404: 'No such job.',
      409: 'The job has ended (JOB_FINISHED), or kept changing while being cancelled.',
      503: UNAVAILABLE,
    },
  }),
  createBatch: operation({
    id: 'createBatch',
    method: 'POST',
    path: '/batches',
    summary: 'Start a rollout across clusters in waves, or rehearse it (`dryRun`) without changing anything',
    headers: createUpgradeHeaders,
    body: { schema: createBatchBody },
    replies: {
      200: {
        description: 'The rehearsal (`dryRun: true`): nothing was stored, sent or changed.',
        schema: rehearsalSchema,
      },
      202: {
        description: 'The batch, created (or, for a replayed Idempotency-Key, the batch it created).',
        schema: batchViewSchema,
        headers: location('batch').extend({
          'Idempotent-Replayed': z.literal('true').optional().describe('Set when the key was seen before.'),
        }),
      },
    },
    refusals: {
      404: 'Clusters the request names are not registered (details.unknown names them).',
      409: 'Clusters have an active job (details.busy names them); set strategy.skipBusy to skip them.',
      422: 'The Idempotency-Key was used for another request (IDEMPOTENCY_KEY_REUSED).',
      503: UNAVAILABLE,
    },
  }),
  listBatches: operation({
    id: 'listBatches',
    method: 'GET',
    path: '/batches',
    summary: 'List batches, newest first, with their counts per state',
    query: listBatchesQuery,
    replies: { 200: { description: 'The batches.', schema: batchListSchema } },
    refusals: { 503: UNAVAILABLE },
  }),
  getBatch: operation({
    id: 'getBatch',
    method: 'GET',
    path: '/batches/{id}',
    summary: 'One batch: counts per state, each wave with its clusters (state, hop, reason, duration), ETA',
    params: batchPathParameters,
    replies: { 200: { description: 'The batch.', schema: batchViewSchema } },
    refusals: { 404: 'No such batch.', 503: UNAVAILABLE },
  }),
  listBatchEvents: operation({
    id: 'listBatchEvents',
    method: 'GET',
    path: '/batches/{id}/events',
    summary: "The batch's decisions: why a wave started, waited, completed, why it halted",
    params: batchPathParameters,
    replies: { 200: { description: 'The events, oldest first.', schema: batchEventListSchema } },
    refusals: { 404: 'No such batch.', 503: UNAVAILABLE },
  }),
  ...batchCommand('pause', pauseBatchBody, 'Pause: no new job starts; running jobs finish'),
  ...batchCommand(
    'resume',
    resumeBatchBody,
    'Resume a paused batch; a halted one only with `acceptFailures: true`, recorded',
  ),
  ...batchCommand(
    'cancel',
    cancelBatchBody,
    'Cancel: jobs not started are cancelled, running ones get a cancel request',
  ),
  ...batchCommand('approve', approveBatchBody, 'Approve the wave that awaits approval (or the one named)'),
  getPlan: operation({
    id: 'getPlan',
    method: 'GET',
    path: '/plan',
    summary: 'The hops an upgrade would take, from the catalog alone (no cluster is read)',
    query: planQuery,
    replies: { 200: { description: 'The plan (zero hops when from equals to).', schema: planViewSchema } },
    refusals: {
      422: 'No supported path: UNKNOWN_VERSION, DOWNGRADE, BLOCKED_VERSION, PLATFORM_UNSUPPORTED or NO_PATH.',
    },
  }),
  listClusters: operation({
    id: 'listClusters',
    method: 'GET',
    path: '/clusters',
    summary: 'The registered clusters, with each one’s operator version and health on request',
    query: listClustersQuery,
    replies: { 200: { description: 'Every registered cluster.', schema: clusterListSchema } },
    refusals: { 503: UNAVAILABLE },
  }),
  getCluster: operation({
    id: 'getCluster',
    method: 'GET',
    path: '/clusters/{name}',
    summary: 'One registered cluster',
    params: clusterPathParameters,
    replies: { 200: { description: 'The cluster record.', schema: clusterViewSchema } },
    refusals: { 404: 'The cluster is not registered.', 503: UNAVAILABLE },
  }),
  putCluster: operation({
    id: 'putCluster',
    method: 'PUT',
    path: '/clusters/{name}',
    summary: 'Register a cluster, or replace its whole record',
    params: clusterPathParameters,
    body: { schema: putClusterBody },
    replies: {
      200: { description: 'The record replaced the previous one.', schema: clusterViewSchema },
      201: {
        description: 'The cluster was registered.',
        schema: clusterViewSchema,
        headers: location('cluster'),
      },
    },
    refusals: { 503: UNAVAILABLE },
  }),
  createWebhookEndpoint: operation({
    id: 'createWebhookEndpoint',
    method: 'POST',
    path: '/webhooks/endpoints',
    summary: 'Register a webhook endpoint; its signing secret is in this reply only',
    body: { schema: createEndpointBody },
    replies: {
      201: {
        description: 'The endpoint and its whsec_ secret.',
        schema: endpointWithSecretSchema,
        headers: location('endpoint'),
      },
    },
    refusals: { 400: 'Invalid input, or a URL the outbound rules refuse (URL_REFUSED).', 503: UNAVAILABLE },
  }),
  listWebhookEndpoints: operation({
    id: 'listWebhookEndpoints',
    method: 'GET',
    path: '/webhooks/endpoints',
    summary: 'The registered webhook endpoints (never their secrets)',
    replies: { 200: { description: 'Every endpoint, oldest first.', schema: endpointListSchema } },
    refusals: { 503: UNAVAILABLE },
  }),
  deleteWebhookEndpoint: operation({
    id: 'deleteWebhookEndpoint',
    method: 'DELETE',
    path: '/webhooks/endpoints/{id}',
    summary: 'Remove an endpoint and its secrets; its pending deliveries are abandoned',
    params: endpointPathParameters,
    replies: { 200: { description: 'The endpoint as it was.', schema: endpointViewSchema } },
    refusals: { 404: 'No such endpoint.', 503: UNAVAILABLE },
  }),
  rotateWebhookSecret: operation({
    id: 'rotateWebhookSecret',
    method: 'POST',
    path: '/webhooks/endpoints/{id}/rotate-secret',
    summary: 'A new signing secret; the previous one keeps signing beside it for the overlap',
    params: endpointPathParameters,
    body: { schema: rotateSecretBody, optional: true },
    replies: { 200: { description: 'The new secret, shown this once.', schema: rotatedSecretSchema } },
    refusals: { 404: 'No such endpoint.', 503: UNAVAILABLE },
  }),
  listWebhookDeliveries: operation({
    id: 'listWebhookDeliveries',
    method: 'GET',
    path: '/webhooks/endpoints/{id}/deliveries',
    summary: "An endpoint's deliveries, newest first: attempts, status codes, latency, next retry",
    params: endpointPathParameters,
    query: deliveriesQuery,
    replies: { 200: { description: 'The deliveries.', schema: deliveryListSchema } },
    refusals: { 404: 'No such endpoint.', 503: UNAVAILABLE },
  }),
  redeliverWebhook: operation({
    id: 'redeliverWebhook',
    method: 'POST',
    path: '/webhooks/deliveries/{id}/redeliver',
    summary: 'Send a delivery again (same webhook-id and body) with a fresh retry window',
    params: deliveryPathParameters,
    replies: { 202: { description: 'The delivery, pending again.', schema: deliveryViewSchema } },
    refusals: {
      400: 'Its endpoint is disabled (ENDPOINT_DISABLED).',
      404: 'No such delivery, or its endpoint was deleted.',
      503: UNAVAILABLE,
    },
  }),
  receiveRelease: operation({
    id: 'receiveRelease',
    method: 'POST',
    path: '/webhooks/releases',
    summary: 'A signed release (Standard Webhooks): registers or withdraws a catalog version',
    // Authenticated by its signature, not by a bearer token or the gateway's authorizer.
    public: true,
    headers: releaseHeaders,
    body: { schema: releaseBodySchema },
    replies: { 200: { description: 'The catalog changed.', schema: releaseOutcomeSchema } },
    refusals: {
      400: 'Not a release, or one that would make the catalog invalid (INVALID_CATALOG); nothing changed.',
      401: 'Missing signature headers, a bad signature, a timestamp off by over 5 minutes, or no secret configured.',
      404: 'A withdrawal of a version the catalog does not list.',
      409: 'A replayed webhook-id (REPLAYED), or the catalog changed meanwhile (CATALOG_CHANGED).',
    },
  }),
} as const;

export const API_OPERATIONS: readonly Operation[] = Object.values(operations);

/** Every refusal an operation can give: its own, plus those of any operation with its inputs. */
export function refusalsOf(op: Operation): Refusals {
  const hasInput = Boolean(op.params || op.query || op.headers || op.body);
  return {
    ...(hasInput ? { 400: 'Invalid input; details.issues lists every field at fault.' } : {}),
    ...(op.public ? {} : { 401: 'No bearer token, or the wrong one.' }),
    ...(op.body
      ? {
          413: 'The body is over the size limit.',
          415: 'The body is not sent as `application/json`.',
        }
      : {}),
    ...op.refusals,
    500: 'Internal error; the message carries the request id to find in the logs.',
  };
}

/** A reply of `op` with `status`, its body typed by the contract. */
export type ReplyBody<O extends Operation, S extends keyof O['replies']> = O['replies'][S] extends Reply
  ? z.input<O['replies'][S]['schema']>
  : never;
