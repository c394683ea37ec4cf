/** `/clusters`: the registry of workload clusters jobs can target, and their health on request. */
import { NotFoundError } from '#domain/errors.ts';
import { FLEET_STATUS_DEFAULTS, makeFleetStatus } from '#usecases/fleet-status.ts';
import { operations } from './api-contract.ts';
import type { ApiDeps } from './api-deps.ts';
import { readJsonBody, readPathParameters, readQuery } from './request-input.ts';
import { reply } from './responses.ts';
import type { Route } from './route.ts';

const { listClusters, getCluster, putCluster } = operations;

export function clusterRoutes(deps: ApiDeps): Route[] {
  // One cache per API process: on Lambda it lives as long as the warm instance.
  const fleetStatus = makeFleetStatus(deps, deps.fleetStatus ?? FLEET_STATUS_DEFAULTS);
  return [
    {
      operation: listClusters,
      handler: async (event) => {
        const { include } = readQuery(event, listClusters.query);
        const items = await deps.clusters.list();
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
