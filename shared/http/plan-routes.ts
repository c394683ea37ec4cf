/** `GET /plan`: the hops an upgrade would take, from the catalog alone (no cluster is read). */
import { planUpgrade } from '#domain/planner.ts';
import { operations } from './api-contract.ts';
import type { ApiDeps } from './api-deps.ts';
import { hopView } from './job-view.ts';
import { readQuery } from './request-input.ts';
import { reply } from './responses.ts';
import type { Route } from './route.ts';

const { getPlan } = operations;

export function planRoutes(deps: ApiDeps): Route[] {
  return [
    {
      operation: getPlan,
      handler: async (event) => {
        const query = readQuery(event, getPlan.query);
        const plan = planUpgrade(deps.catalog, query.from, query.to, {
          ...(query.platform ? { platform: query.platform } : {}),
          ...(query.includePrerelease ? { includePrerelease: true } : {}),
        });
        return reply(getPlan, 200, {
          from: plan.from,
          to: plan.to,
          ...(plan.platform ? { platform: plan.platform } : {}),
          hops: plan.hops.map(hopView),
        });
      },
    },
  ];
}
