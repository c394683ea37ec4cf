/**
 * The webhook operations of the API as the CLI calls them (`webhooks ...`, `release`): each is one
 * operation of shared/http/api-contract.ts sent through the ApiClient, so requests and replies are
 * checked by the same schemas the server uses.
 */
import type * as z from 'zod';
import type { ApiClient } from '#cli/api-client.ts';
import { operations } from '#shared/http/api-contract.ts';
import type { createEndpointBody } from '#shared/http/webhook-schemas.ts';

export type NewEndpoint = z.input<typeof createEndpointBody>;

export async function addEndpoint(client: ApiClient, body: NewEndpoint) {
  return (await client.send(operations.createWebhookEndpoint, { body })).reply;
}

export async function listEndpoints(client: ApiClient) {
  return (await client.send(operations.listWebhookEndpoints)).reply.items;
}

export async function removeEndpoint(client: ApiClient, id: string) {
  return (await client.send(operations.deleteWebhookEndpoint, { params: { id } })).reply;
}

export async function rotateSecret(client: ApiClient, id: string, overlapSeconds?: number) {
  const body = overlapSeconds === undefined ? {} : { overlapSeconds };
  return (await client.send(operations.rotateWebhookSecret, { params: { id }, body })).reply;
}

export async function endpointDeliveries(client: ApiClient, id: string, limit?: number) {
  const query = limit === undefined ? {} : { limit };
  return (await client.send(operations.listWebhookDeliveries, { params: { id }, query })).reply.items;
}

/** Sends a release already signed: `body` is exactly the text the signature covers. */
export async function sendRelease(client: ApiClient, body: unknown, headers: Record<string, string>) {
  return (await client.send(operations.receiveRelease, { body, headers })).reply;
}
