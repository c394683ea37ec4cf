/** `GET /plan`: the hops an upgrade would take, from the catalog alone (no cluster is read). */
import { planUpgrade } from '#domain/planner.ts';
import type { ApiDeps } from './api-deps.ts';
import { readQuery } from './request-input.ts';
import { json } from './responses.ts';
import type { Route } from './route.ts';
import { planQuery } from './schemas.ts';

export function planRoutes(deps: ApiDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/plan',
      handler: async (event) => {
        const query = readQuery(event, planQuery);
        const plan = planUpgrade(deps.catalog, query.from, query.to, {
          ...(query.platform ? { platform: query.platform } : {}),
          ...(query.includePrerelease ? { includePrerelease: true } : {}),
        });
        return json(200, {
          from: plan.from,
          to: plan.to,
          ...(plan.platform ? { platform: plan.platform } : {}),
          hops: plan.hops.map(({ from, to, kind, csv, channel }) => ({ from, to, kind, csv, channel })),
        });
      },
    },
  ];
}
