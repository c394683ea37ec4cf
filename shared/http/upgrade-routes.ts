/** `/upgrades`: start, read, list and cancel upgrade jobs (DESIGN.md 4.5). */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { NotFoundError } from '#domain/errors.ts';
import { cancelUpgrade } from '#usecases/cancel-upgrade.ts';
import { createUpgrade } from '#usecases/create-upgrade.ts';
import type { ApiDeps } from './api-deps.ts';
import { jobView } from './job-view.ts';
import { readJsonBody, readPathParameter, readQuery, validated } from './request-input.ts';
import { json } from './responses.ts';
import type { Route } from './route.ts';
import {
  cancelUpgradeBody,
  createUpgradeBody,
  idempotencyKeySchema,
  jobIdSchema,
  listUpgradesQuery,
} from './schemas.ts';

async function existingJob(deps: ApiDeps, event: APIGatewayProxyEventV2) {
  const id = readPathParameter(event, 'id', jobIdSchema);
  const job = await deps.jobs.get(id);
  if (!job) throw new NotFoundError(`upgrade job ${id} not found`);
  return job;
}

export function upgradeRoutes(deps: ApiDeps): Route[] {
  return [
    {
      method: 'POST',
      path: '/upgrades',
      handler: async (event) => {
        const body = readJsonBody(event, createUpgradeBody, deps.maxBodyBytes);
        const rawKey = event.headers?.['idempotency-key'];
        const idempotencyKey =
          rawKey === undefined ? undefined : validated(idempotencyKeySchema, rawKey, 'header');
        const { job, created } = await createUpgrade(deps, {
          cluster: body.cluster,
          targetVersion: body.targetVersion,
          ...(body.options ? { options: body.options } : {}),
          ...(body.callbackUrl ? { callbackUrl: body.callbackUrl } : {}),
          ...(idempotencyKey ? { idempotencyKey } : {}),
        });
        const headers: Record<string, string> = { Location: `/upgrades/${job.id}` };
        if (!created) headers['Idempotent-Replayed'] = 'true';
        return json(202, jobView(job), headers);
      },
    },
    {
      method: 'GET',
      path: '/upgrades',
      handler: async (event) => {
        const query = readQuery(event, listUpgradesQuery);
        const jobs = await deps.jobs.list({
          ...(query.cluster ? { cluster: query.cluster } : {}),
          ...(query.state ? { state: query.state } : {}),
          ...(query.batch ? { batchId: query.batch } : {}),
          ...(query.limit ? { limit: query.limit } : {}),
        });
        return json(200, { items: jobs.map(jobView) });
      },
    },
    {
      method: 'GET',
      path: '/upgrades/{id}',
      handler: async (event) => json(200, jobView(await existingJob(deps, event))),
    },
    {
      method: 'GET',
      path: '/upgrades/{id}/events',
      handler: async (event) => {
        const job = await existingJob(deps, event);
        return json(200, { items: (await deps.events?.forJob(job.id)) ?? [] });
      },
    },
    {
      method: 'POST',
      path: '/upgrades/{id}/cancel',
      handler: async (event) => {
        const jobId = readPathParameter(event, 'id', jobIdSchema);
        // The body is optional here: a bare POST cancels without a note.
        const body = event.body ? readJsonBody(event, cancelUpgradeBody, deps.maxBodyBytes) : {};
        const job = await cancelUpgrade(deps, { jobId, ...(body.note ? { note: body.note } : {}) });
        return json(202, jobView(job));
      },
    },
  ];
}
