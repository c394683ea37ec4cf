/**
 * The ports of webhooks (DESIGN.md 4.7): registered endpoints, their signing secrets (kept apart
 * so no endpoint read can leak one), deliveries with their attempts, and the one outbound HTTP
 * call. Kept beside #shared/ports.ts, in the same terms: adapters map failures onto the errors of
 * #domain/errors.ts.
 */
import type { Catalog } from '#domain/catalog.ts';
import type { Delivery } from '#domain/webhooks/delivery.ts';
import type { EndpointStatus, SigningSecret, WebhookEndpoint } from '#domain/webhooks/endpoint.ts';

export interface WebhookEndpointStore {
  create(endpoint: WebhookEndpoint): Promise<void>;
  get(id: string): Promise<WebhookEndpoint | undefined>;
  /** Every endpoint, oldest first. */
  list(): Promise<WebhookEndpoint[]>;
  /** True when it existed. */
  delete(id: string): Promise<boolean>;
  /** Sets the standing of an endpoint that still exists (a deleted one stays deleted). */
  setStatus(id: string, status: EndpointStatus, reason?: string): Promise<void>;
}

/** Signing secrets by endpoint, stored like the other credentials (mode 600 / Secrets Manager). */
export interface WebhookSecretStore {
  put(endpointId: string, secrets: readonly SigningSecret[]): Promise<void>;
  /** Empty when the endpoint has none (deleted). */
  get(endpointId: string): Promise<SigningSecret[]>;
  delete(endpointId: string): Promise<void>;
}

export interface DeliveryStore {
  /** Inserts the delivery unless one with its id exists; true when it was inserted. */
  createIfAbsent(delivery: Delivery): Promise<boolean>;
  get(id: string): Promise<Delivery | undefined>;
  /** Conditional write on the stored version; ConflictError when it moved. */
  update(delivery: Delivery, expectedVersion: number): Promise<void>;
  /** An endpoint's deliveries, newest first. */
  forEndpoint(endpointId: string, limit: number): Promise<Delivery[]>;
}

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export type WebhookResponse =
  | { statusCode: number; latencyMs: number }
  /** `refused`: the URL or an address its host resolved to is not a permitted destination. */
  | { error: string; latencyMs: number; refused?: true };

/** One POST, redirects not followed, to an address checked after resolution (#adapters/webhook-sender.ts). */
export interface WebhookSender {
  post(request: WebhookRequest): Promise<WebhookResponse>;
}

/** The catalog as the release webhook changes it: read with a token, replaced only if unchanged. */
export interface CatalogStore {
  read(): Promise<{ catalog: Catalog; token: string }>;
  /** ConflictError when the catalog changed since `token` was read: nothing is written. */
  replace(catalog: Catalog, token: string): Promise<void>;
}

/** Release webhook ids seen, for the replay window. */
export interface ReleaseLog {
  seen(webhookId: string): Promise<boolean>;
  remember(webhookId: string, expiresAt: Date): Promise<void>;
}
