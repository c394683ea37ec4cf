/** `/clusters`: the registry of workload clusters jobs can target. */
import { NotFoundError } from '#domain/errors.ts';
import type { ApiDeps } from './api-deps.ts';
import { readJsonBody, readPathParameter } from './request-input.ts';
import { json } from './responses.ts';
import type { Route } from './route.ts';
import { clusterNameSchema, putClusterBody } from './schemas.ts';

export function clusterRoutes(deps: ApiDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/clusters',
      handler: async () => json(200, { items: await deps.clusters.list() }),
    },
    {
      method: 'GET',
      path: '/clusters/{name}',
      handler: async (event) => {
        const name = readPathParameter(event, 'name', clusterNameSchema);
        const record = await deps.clusters.get(name);
        if (!record)
          throw new NotFoundError(`cluster ${name} is not registered: add it with PUT /clusters/${name}`);
        return json(200, record);
      },
    },
    {
      method: 'PUT',
      path: '/clusters/{name}',
      handler: async (event) => {
        const name = readPathParameter(event, 'name', clusterNameSchema);
        const fields = readJsonBody(event, putClusterBody, deps.maxBodyBytes);
        const existed = (await deps.clusters.get(name)) !== undefined;
        const record = { name, ...fields };
        await deps.clusters.put(record);
        return json(existed ? 200 : 201, record, existed ? {} : { Location: `/clusters/${name}` });
      },
    },
  ];
}
