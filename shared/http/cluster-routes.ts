/** `/clusters`: the registry of workload clusters jobs can target. */
import { NotFoundError } from '#domain/errors.ts';
import { operations } from './api-contract.ts';
import type { ApiDeps } from './api-deps.ts';
import { readJsonBody, readPathParameters } from './request-input.ts';
import { reply } from './responses.ts';
import type { Route } from './route.ts';

const { listClusters, getCluster, putCluster } = operations;

export function clusterRoutes(deps: ApiDeps): Route[] {
  return [
    {
      operation: listClusters,
      handler: async () => reply(listClusters, 200, { items: await deps.clusters.list() }),
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
