/**
 * Lambda entry of the HTTP API: API Gateway HTTP API v2 events -> makeApiHandler
 * (#shared/http/api-handler.ts). Callers are authenticated by the API's IAM or JWT authorizer
 * before this runs; the catalog is re-read from S3 when its TTL has passed. It sends only where
 * the API row of #usecases/consumers.ts says; its job events are sent to notify when they
 * have receivers (#usecases/notifier.ts), their outcome metrics counted here
 * otherwise (flushed after the request that counted them). It reaches
 * clusters (kubeconfigs from Secrets Manager) only for a rollout's rehearsal.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { withBatches } from '#adapters/aws/aws-batch-deps.ts';
import { loadAwsConfig } from '#adapters/aws/aws-config.ts';
import { withReleaseWebhook } from '#adapters/aws/aws-release-deps.ts';
import { buildStageDeps } from '#adapters/aws/aws-stage-deps.ts';
import { withWebhookSigning } from '#adapters/aws/aws-webhook-deps.ts';
import { observability } from '#adapters/aws/lambda-observability.ts';
import { makeApiHandler } from '#shared/http/api-handler.ts';
import { notifierFor, sendingOnlyTo } from '#usecases/consumer-deps.ts';
import { API } from '#usecases/consumers.ts';

const MAX_BODY_BYTES = 1024 * 1024;

const observed = observability('api');
const config = loadAwsConfig();
const deps = withReleaseWebhook(
  withWebhookSigning(withBatches(buildStageDeps(config, observed)), config, observed),
  config,
  observed,
);
const queue = sendingOnlyTo(deps.queue, API.sends, 'api');
const api = makeApiHandler({
  jobs: deps.jobs,
  batches: deps.batches,
  gateway: deps.gateway,
  config: deps.config,
  clusters: deps.clusters,
  clock: deps.clock,
  waitHistory: deps.waitHistory,
  queue,
  notifier: notifierFor('api', API, deps, queue),
  get catalog() {
    return deps.catalog;
  },
  auth: { gatewayAuthorizer: true },
  log: deps.log,
  maxBodyBytes: MAX_BODY_BYTES,
  outboundAllow: config.outboundAllow,
  idempotencyTtlSeconds: config.idempotencyTtlSeconds,
  requireHttps: config.requireHttps,
  webhooks: {
    webhookEndpoints: deps.webhookEndpoints,
    get webhookSecrets() {
      return deps.webhookSecrets;
    },
    deliveries: deps.deliveries,
    queue,
    clock: deps.clock,
    outbound: deps.outbound,
    secretOverlapSeconds: config.secretOverlapSeconds,
  },
  ...(deps.releases ? { releases: deps.releases } : {}),
});

const main = async (event: APIGatewayProxyEventV2, context: Context) => {
  // A failed refresh keeps the last good catalog; with none loaded, routes that need it answer 500.
  await deps
    .refreshCatalog()
    .catch((error: unknown) => observed.logger.error('catalog refresh failed', { error: String(error) }));
  try {
    return await api(event, context);
  } finally {
    // Most requests count nothing: flush only what was counted (logMetrics would warn on every other).
    if (observed.metrics.hasStoredMetrics()) observed.metrics.publishStoredMetrics();
  }
};

export const handler = middy(main).use(injectLambdaContext(observed.logger, { resetKeys: true }));
