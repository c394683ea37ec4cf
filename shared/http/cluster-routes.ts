/** `/clusters`: the registry of workload clusters jobs can target, and their health on request. */
import { NotFoundError, ValidationError } from '#domain/errors.ts';
import { matchesAll } from '#domain/rollout/label-selector.ts';
import { parseSelectorText } from '#domain/rollout/label-selector-text.ts';
import { FLEET_STATUS_DEFAULTS, makeFleetStatus } from '#usecases/fleet-status.ts';
import { operations } from './api-contract.ts';
import type { ApiDeps } from './api-deps.ts';
import { readJsonBody, readPathParameters, readQuery } from './request-input.ts';
import { reply } from './responses.ts';
import type { Route } from './route.ts';

const { listClusters, getCluster, putCluster } = operations;

/** The selector's requirements; a malformed one is refused naming the parameter, as zod's refusals do. */
function requirementsOf(selector: string | undefined) {
  try {
    return parseSelectorText(selector ?? '');
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(`query.selector: ${error.message}`);
  }
}

export function clusterRoutes(deps: ApiDeps): Route[] {
  // One cache per API process: on Lambda it lives as long as the warm instance.
  const fleetStatus = makeFleetStatus(deps, deps.fleetStatus ?? FLEET_STATUS_DEFAULTS);
  return [
    {
      operation: listClusters,
      handler: async (event) => {
        const { include, selector } = readQuery(event, listClusters.query);
        const requirements = requirementsOf(selector);
        const items = (await deps.clusters.list()).filter((record) =>
          matchesAll(requirements, record.labels),
        );
        if (include !== 'status') return reply(listClusters, 200, { items });
        const status = await fleetStatus(items);
        return reply(listClusters, 200, {
          items: items.map((record) => ({ ...record, status: status.get(record.name) })),
        });
      },
    },
    {
      operation: getCluster,
      handler: async (event) => {
        const { name } = readPathParameters(event, getCluster.params);
        const record = await deps.clusters.get(name);
        if (!record)
          throw new NotFoundError(`cluster ${name} is not registered: add it with PUT /clusters/${name}`);
        return reply(getCluster, 200, record);
      },
    },
    {
      operation: putCluster,
      handler: async (event) => {
        const { name } = readPathParameters(event, putCluster.params);
        const fields = readJsonBody(event, putCluster.body.schema, deps.maxBodyBytes);
        const existed = (await deps.clusters.get(name)) !== undefined;
        const record = { name, ...fields };
        await deps.clusters.put(record);
        return existed
          ? reply(putCluster, 200, record)
          : reply(putCluster, 201, record, { Location: `/clusters/${name}` });
      },
    },
  ];
}
