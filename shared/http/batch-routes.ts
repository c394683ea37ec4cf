/** `/batches`: start (or rehearse), read, list and steer fleet rollouts (docs/architecture.md §11, issue 10). */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { NotFoundError } from '#domain/errors.ts';
import type { Batch } from '#domain/rollout/batch.ts';
import { batchView } from '#domain/rollout/batch-view.ts';
import type { BatchCommand } from '#domain/rollout/rollout-commands.ts';
import { commandBatch } from '#usecases/batch-commands.ts';
import { createBatch } from '#usecases/create-batch.ts';
import { resolvePipelineConfig } from '#usecases/pipeline-config.ts';
import { operations } from './api-contract.ts';
import type { ApiDeps } from './api-deps.ts';
import type { BatchSummaryReply, BatchViewReply } from './batch-replies.ts';
import { readHeader, readJsonBody, readPathParameters, readQuery } from './request-input.ts';
import { reply } from './responses.ts';
import type { Route } from './route.ts';
import { IDEMPOTENCY_KEY } from './schemas.ts';

const { createBatch: create, listBatches: list, getBatch: get, listBatchEvents: events } = operations;
const COMMANDS = {
  pause: operations.pauseBatch,
  resume: operations.resumeBatch,
  cancel: operations.cancelBatch,
  approve: operations.approveBatch,
} as const;

interface Authorizer {
  jwt?: { claims?: Record<string, unknown> };
  iam?: { userArn?: string };
}

/** Who sent the request, for the record: the API Gateway authorizer's identity (none locally). */
function callerOf(event: APIGatewayProxyEventV2): string | undefined {
  const authorizer = (event.requestContext as { authorizer?: Authorizer } | undefined)?.authorizer;
  const subject = authorizer?.jwt?.claims?.sub;
  return typeof subject === 'string' ? subject : authorizer?.iam?.userArn;
}

export function batchRoutes(deps: ApiDeps): Route[] {
  const config = resolvePipelineConfig(deps.config);
  const viewOptions = {
    jobEstimateSeconds: config.rollout.jobOverheadSeconds + config.rollout.estimateHopSeconds,
  };
  const view = (batch: Batch): BatchViewReply => batchView(batch, deps.clock.now(), viewOptions);
  const summary = (batch: Batch): BatchSummaryReply => {
    const { waves, ...rest } = view(batch);
    return { ...rest, waveCount: waves.length };
  };
  const existing = async (event: APIGatewayProxyEventV2) => {
    const { id } = readPathParameters(event, get.params);
    const batch = await deps.batches.get(id);
    if (!batch) throw new NotFoundError(`batch ${id} not found`);
    return batch;
  };
  const commandRoute = (kind: keyof typeof COMMANDS): Route => {
    const op = COMMANDS[kind];
    return {
      operation: op,
      handler: async (event) => {
        const { id } = readPathParameters(event, op.params);
        // The body is optional: a bare POST carries no note.
        const body = event.body ? readJsonBody(event, op.body.schema, deps.maxBodyBytes) : {};
        const by = callerOf(event);
        const command = { ...body, kind, ...(by ? { by } : {}) } as BatchCommand;
        const batch = await commandBatch(deps, { batchId: id, command });
        return reply(op, 202, view(batch));
      },
    };
  };
  return [
    {
      operation: create,
      handler: async (event) => {
        const request = readJsonBody(event, create.body.schema, deps.maxBodyBytes);
        const idempotencyKey = readHeader(event, IDEMPOTENCY_KEY, create.headers.shape[IDEMPOTENCY_KEY]);
        const result = await createBatch(
          { ...deps, config },
          { request, ...(idempotencyKey ? { idempotencyKey } : {}) },
        );
        if (result.dryRun) return reply(create, 200, result.rehearsal);
        const headers: Record<string, string> = { Location: `/batches/${result.batch.id}` };
        if (!result.created) headers['Idempotent-Replayed'] = 'true';
        return reply(create, 202, view(result.batch), headers);
      },
    },
    {
      operation: list,
      handler: async (event) => {
        const query = readQuery(event, list.query);
        const batches = await deps.batches.list({
          ...(query.state ? { state: query.state } : {}),
          ...(query.limit ? { limit: query.limit } : {}),
        });
        return reply(list, 200, { items: batches.map(summary) });
      },
    },
    { operation: get, handler: async (event) => reply(get, 200, view(await existing(event))) },
    {
      operation: events,
      handler: async (event) => {
        const batch = await existing(event);
        return reply(events, 200, { items: await deps.batches.events(batch.id) });
      },
    },
    ...(Object.keys(COMMANDS) as (keyof typeof COMMANDS)[]).map(commandRoute),
  ];
}
