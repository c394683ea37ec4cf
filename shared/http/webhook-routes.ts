/** `/webhooks/endpoints` and `/webhooks/deliveries`: managing outbound webhooks (DESIGN.md 4.5). */

import { UnauthorizedError } from '#domain/errors.ts';
import type { Delivery } from '#domain/webhooks/delivery.ts';
import { resolvePipelineConfig } from '#usecases/pipeline-config.ts';
import { receiveRelease } from '#usecases/receive-release.ts';
import {
  deleteEndpoint,
  endpointDeliveries,
  redeliver,
  registerEndpoint,
  rotateSecret,
} from '#usecases/webhook-endpoints.ts';
import { operations } from './api-contract.ts';
import type { ApiDeps } from './api-deps.ts';
import { HttpError } from './http-error.ts';
import {
  bodyBytes,
  readJsonBody,
  readPathParameters,
  readQuery,
  requireJsonMediaType,
} from './request-input.ts';
import { reply } from './responses.ts';
import type { Route } from './route.ts';
import type { DeliveryView } from './webhook-schemas.ts';

const {
  createWebhookEndpoint: create,
  listWebhookEndpoints: list,
  deleteWebhookEndpoint: remove,
} = operations;
const { rotateWebhookSecret: rotate, listWebhookDeliveries: deliveries, redeliverWebhook } = operations;
const { receiveRelease: release } = operations;

/** A delivery without its body and the bookkeeping of its messages. */
function deliveryView(delivery: Delivery): DeliveryView {
  const { body: _, version: __, reopenedAt: ___, attempts, ...rest } = delivery;
  return { ...rest, attempts: attempts.map(({ messageId: _id, ...attempt }) => attempt) };
}

export function webhookRoutes(deps: ApiDeps): Route[] {
  const admin = deps.webhooks;
  return [
    {
      operation: create,
      handler: async (event) => {
        const body = readJsonBody(event, create.body.schema, deps.maxBodyBytes);
        const made = await registerEndpoint(admin, body);
        return reply(create, 201, made, { Location: `/webhooks/endpoints/${made.endpoint.id}` });
      },
    },
    {
      operation: list,
      handler: async () => reply(list, 200, { items: await admin.webhookEndpoints.list() }),
    },
    {
      operation: remove,
      handler: async (event) => {
        const { id } = readPathParameters(event, remove.params);
        return reply(remove, 200, await deleteEndpoint(admin, id));
      },
    },
    {
      operation: rotate,
      handler: async (event) => {
        const { id } = readPathParameters(event, rotate.params);
        const body = event.body ? readJsonBody(event, rotate.body.schema, deps.maxBodyBytes) : {};
        return reply(rotate, 200, await rotateSecret(admin, id, body.overlapSeconds));
      },
    },
    {
      operation: deliveries,
      handler: async (event) => {
        const { id } = readPathParameters(event, deliveries.params);
        const { limit } = readQuery(event, deliveries.query);
        const items = await endpointDeliveries(admin, id, limit ?? 100);
        return reply(deliveries, 200, { items: items.map(deliveryView) });
      },
    },
    {
      operation: redeliverWebhook,
      handler: async (event) => {
        const { id } = readPathParameters(event, redeliverWebhook.params);
        return reply(redeliverWebhook, 202, deliveryView(await redeliver(admin, id)));
      },
    },
    {
      operation: release,
      handler: async (event) => {
        // The signature covers the exact bytes: verify them before any parsing.
        const body = bodyBytes(event);
        if (body.length > deps.maxBodyBytes) {
          throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `release body is over ${deps.maxBodyBytes} bytes`);
        }
        // The media type is not covered by the signature, so check it apart; the bytes stay untouched.
        requireJsonMediaType(event);
        if (!deps.releases)
          throw new UnauthorizedError('the release webhook is not configured on this deployment');
        const headers = Object.fromEntries(
          Object.entries(event.headers ?? {}).filter(
            (entry): entry is [string, string] => entry[1] !== undefined,
          ),
        );
        // A release may start or pause batches as the batch routes do, with the API's own ports.
        const rollouts = { ...deps, config: resolvePipelineConfig(deps.config) };
        return reply(
          release,
          200,
          await receiveRelease({ ...deps.releases, rollouts }, { body: body.toString('utf8'), headers }),
        );
      },
    },
  ];
}
