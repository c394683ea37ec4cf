/**
 * Requests and replies of the webhook operations (DESIGN.md 4.5, 4.7), in the terms of
 * schemas.ts and api-replies.ts: the contract (api-contract.ts) declares the operations on them.
 * No reply schema has a place for a secret except the two that create one.
 */
import * as z from 'zod';
import { DELIVERY_STATUSES } from '#domain/webhooks/delivery.ts';
import { ENDPOINT_STATUSES } from '#domain/webhooks/endpoint.ts';
import { subscriptionSchema, WEBHOOK_EVENT_TYPES } from '#domain/webhooks/webhook-event.ts';

const timestamp = z.iso.datetime();
const id = (what: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,128}$/, `is not a ${what} id`)
    .describe(`The ${what} id.`);

export const createEndpointBody = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .describe('Public http(s) URL (https on AWS unless configured); no user:pass@, no private addresses.'),
    events: subscriptionSchema.describe(
      `Event types to receive, or \`*\`: ${WEBHOOK_EVENT_TYPES.join(', ')}.`,
    ),
    description: z.string().max(500).optional(),
  })
  .meta({ id: 'CreateWebhookEndpointRequest' });

export const rotateSecretBody = z
  .strictObject({
    overlapSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 86_400)
      .optional()
      .describe(
        'How long the previous secret keeps signing beside the new one (default: the configured overlap).',
      ),
  })
  .meta({ id: 'RotateWebhookSecretRequest' });

export const endpointPathParameters = z.object({ id: id('endpoint') });
export const deliveryPathParameters = z.object({ id: id('delivery') });
export const deliveriesQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).optional() });

export const endpointViewSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    description: z.string().optional(),
    createdAt: timestamp,
    status: z
      .enum(ENDPOINT_STATUSES)
      .describe('failing: a delivery ran out of retries; disabled: it answered 410.'),
    statusReason: z.string().optional(),
  })
  .meta({ id: 'WebhookEndpoint' });

export const endpointListSchema = z
  .object({ items: z.array(endpointViewSchema) })
  .meta({ id: 'WebhookEndpointList' });

const secret = z.string().startsWith('whsec_').describe('The signing secret: shown this once, never again.');

export const endpointWithSecretSchema = z
  .object({ endpoint: endpointViewSchema, secret })
  .meta({ id: 'WebhookEndpointWithSecret' });

export const rotatedSecretSchema = z
  .object({
    endpoint: endpointViewSchema,
    secret,
    previousSecretsExpireAt: timestamp.optional().describe('Until then the previous secret signs too.'),
  })
  .meta({ id: 'RotatedWebhookSecret' });

export const deliveryViewSchema = z
  .object({
    id: z.string(),
    eventId: z.string().describe('The webhook-id header.'),
    eventType: z.string(),
    endpointId: z.string().optional(),
    url: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    reason: z.string().optional(),
    createdAt: timestamp,
    attempts: z.array(
      z.object({
        number: z.number().int(),
        at: timestamp,
        statusCode: z.number().int().optional(),
        error: z.string().optional(),
        latencyMs: z.number(),
      }),
    ),
    nextAttemptAt: timestamp.optional().describe('When the next retry is due.'),
  })
  .meta({ id: 'WebhookDelivery' });

export const deliveryListSchema = z
  .object({ items: z.array(deliveryViewSchema) })
  .meta({ id: 'WebhookDeliveryList' });

export type DeliveryView = z.infer<typeof deliveryViewSchema>;

export const releaseHeaders = z.object({
  'webhook-id': z.string().optional().describe('Unique per release; a repeat within 24 h is refused.'),
  'webhook-timestamp': z.string().optional().describe('Unix seconds; more than 5 minutes off is refused.'),
  'webhook-signature': z.string().optional().describe('`v1,<base64>`, several space-separated allowed.'),
});

export const releaseOutcomeSchema = z
  .object({
    action: z.enum(['registered', 'withdrawn']),
    version: z.string(),
    versions: z.number().int().describe('How many versions the catalog lists now.'),
    rollouts: z
      .array(
        z.union([
          z.object({
            policy: z.string(),
            batchId: z.string(),
            clusters: z.number().int(),
            created: z.boolean(),
          }),
          z.object({ policy: z.string(), refused: z.string() }),
        ]),
      )
      .optional()
      .describe('A registered version: the batch each matching rollout policy started, or why it did not.'),
    paused: z
      .array(z.object({ batchId: z.string(), stopped: z.array(z.string()), finishing: z.array(z.string()) }))
      .optional()
      .describe(
        'A withdrawn version: each unfinished batch targeting it, now paused; its jobs stopped before their point of no return, and those past it, finishing their hop.',
      ),
  })
  .meta({ id: 'ReleaseOutcome' });
