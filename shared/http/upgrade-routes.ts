/** `/upgrades`: start, read, list and cancel upgrade jobs (docs/architecture.md §11). */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { NotFoundError } from '#domain/errors.ts';
import { jobEvents } from '#domain/job-event.ts';
import { cancelUpgrade } from '#usecases/cancel-upgrade.ts';
import { createUpgrade } from '#usecases/create-upgrade.ts';
import { operations } from './api-contract.ts';
import type { ApiDeps } from './api-deps.ts';
import { jobView } from './job-view.ts';
import { readHeader, readJsonBody, readPathParameters, readQuery } from './request-input.ts';
import { reply } from './responses.ts';
import type { Route } from './route.ts';
import { IDEMPOTENCY_KEY } from './schemas.ts';

const { createUpgrade: create, listUpgrades: list, getUpgrade: get } = operations;
const { listUpgradeEvents: events, cancelUpgrade: cancel } = operations;

async function existingJob(deps: ApiDeps, event: APIGatewayProxyEventV2) {
  const { id } = readPathParameters(event, get.params);
  const job = await deps.jobs.get(id);
  if (!job) throw new NotFoundError(`upgrade job ${id} not found`);
  return job;
}

export function upgradeRoutes(deps: ApiDeps): Route[] {
  return [
    {
      operation: create,
      handler: async (event) => {
        const body = readJsonBody(event, create.body.schema, deps.maxBodyBytes);
        const idempotencyKey = readHeader(event, IDEMPOTENCY_KEY, create.headers.shape[IDEMPOTENCY_KEY]);
        const { job, created } = await createUpgrade(deps, {
          cluster: body.cluster,
          targetVersion: body.targetVersion,
          ...(body.options ? { options: body.options } : {}),
          ...(body.callbackUrl ? { callbackUrl: body.callbackUrl } : {}),
          ...(idempotencyKey ? { idempotencyKey } : {}),
        });
        const headers: Record<string, string> = { Location: `/upgrades/${job.id}` };
        if (!created) headers['Idempotent-Replayed'] = 'true';
        return reply(create, 202, jobView(job), headers);
      },
    },
    {
      operation: list,
      handler: async (event) => {
        const query = readQuery(event, list.query);
        const jobs = await deps.jobs.list({
          ...(query.cluster ? { cluster: query.cluster } : {}),
          ...(query.state ? { state: query.state } : {}),
          ...(query.batch ? { batchId: query.batch } : {}),
          ...(query.limit ? { limit: query.limit } : {}),
        });
        return reply(list, 200, { items: jobs.map(jobView) });
      },
    },
    {
      operation: get,
      handler: async (event) => reply(get, 200, jobView(await existingJob(deps, event))),
    },
    {
      operation: events,
      handler: async (event) => {
        const job = await existingJob(deps, event);
        return reply(events, 200, { items: jobEvents(job) });
      },
    },
    {
      operation: cancel,
      handler: async (event) => {
        const { id: jobId } = readPathParameters(event, cancel.params);
        // The body is optional here: a bare POST cancels without a note.
        const body = event.body ? readJsonBody(event, cancel.body.schema, deps.maxBodyBytes) : {};
        const job = await cancelUpgrade(deps, { jobId, ...(body.note ? { note: body.note } : {}) });
        return reply(cancel, 202, jobView(job));
      },
    },
  ];
}
