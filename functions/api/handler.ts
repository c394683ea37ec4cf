/**
 * Lambda entry of the HTTP API: API Gateway HTTP API v2 events -> makeApiHandler
 * (#shared/http/api-handler.ts). Callers are authenticated by the API's IAM or JWT authorizer
 * before this runs; the catalog is re-read from S3 when its TTL has passed.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { loadAwsConfig, required } from '#adapters/aws/aws-config.ts';
import { buildCoreDeps } from '#adapters/aws/aws-core-deps.ts';
import { AWS_ENV } from '#adapters/aws/aws-env.ts';
import { observability, traceClients } from '#adapters/aws/lambda-observability.ts';
import { S3Catalog } from '#adapters/aws/s3-catalog.ts';
import { makeApiHandler } from '#shared/http/api-handler.ts';
import { asLog } from '#shared/logger.ts';

const MAX_BODY_BYTES = 1024 * 1024;

const { logger, tracer } = observability('api');
const config = loadAwsConfig();
const deps = buildCoreDeps(config);
traceClients(tracer, deps.clients);
const catalog = new S3Catalog({
  client: deps.clients.s3,
  bucket: required(config.bucketName, AWS_ENV.bucketName),
  key: required(config.catalogKey, AWS_ENV.catalogKey),
  clock: deps.clock,
});
const api = makeApiHandler({
  ...deps,
  get catalog() {
    return catalog.current;
  },
  auth: { gatewayAuthorizer: true },
  log: asLog(logger),
  maxBodyBytes: MAX_BODY_BYTES,
  outboundAllow: config.outboundAllow,
  idempotencyTtlSeconds: config.idempotencyTtlSeconds,
});

const main = async (event: APIGatewayProxyEventV2, context: Context) => {
  // A failed refresh keeps the last good catalog; with none loaded, routes that need it answer 500.
  await catalog
    .refresh()
    .catch((error: unknown) => logger.error('catalog refresh failed', { error: String(error) }));
  return api(event, context);
};

export const handler = middy(main).use(injectLambdaContext(logger, { resetKeys: true }));
