/**
 * The HTTP API (docs/architecture.md §11) as one API Gateway HTTP API v2 handler, built from its ports so
 * the Lambda entry, the local runtime and the tests each pass their own. middy supplies the
 * routing and security headers; errors of every kind leave through error-response.ts.
 */
import { randomUUID } from 'node:crypto';
import middy, { type MiddlewareObj } from '@middy/core';
import httpRouterHandler from '@middy/http-router';
import httpSecurityHeaders from '@middy/http-security-headers';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyResultV2,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import { operations } from './api-contract.ts';
import type { ApiDeps } from './api-deps.ts';
import { batchRoutes } from './batch-routes.ts';
import { bearerTokenCheck } from './bearer-auth.ts';
import { clusterRoutes } from './cluster-routes.ts';
import { errorResponse } from './error-response.ts';
import { HttpError } from './http-error.ts';
import { openApiDocument } from './openapi.ts';
import { planRoutes } from './plan-routes.ts';
import { reply } from './responses.ts';
import { pathPattern, type Route } from './route.ts';
import { upgradeRoutes } from './upgrade-routes.ts';
import { webhookRoutes } from './webhook-routes.ts';

export type { ApiAuth, ApiDeps } from './api-deps.ts';

export type ApiHandler = middy.MiddyfiedHandler<APIGatewayProxyEventV2, APIGatewayProxyResultV2>;

/** The routes that describe the API itself; the document is generated on first request. */
function selfRoutes(): Route[] {
  const { health, openApi } = operations;
  let document: ReturnType<typeof openApiDocument> | undefined;
  return [
    { operation: health, handler: async () => reply(health, 200, { status: 'ok' }) },
    {
      operation: openApi,
      handler: async () => {
        document ??= openApiDocument();
        return reply(openApi, 200, document);
      },
    },
  ];
}

/** Every route of the API. */
export function apiRoutes(deps: ApiDeps): Route[] {
  return [
    ...selfRoutes(),
    ...upgradeRoutes(deps),
    ...batchRoutes(deps),
    ...planRoutes(deps),
    ...clusterRoutes(deps),
    ...webhookRoutes(deps),
  ];
}

function requestIdOf(event: APIGatewayProxyEventV2): string {
  return event.requestContext?.requestId || randomUUID();
}

function authenticated(route: Route, deps: ApiDeps): Route {
  if (route.operation.public || !('bearerToken' in deps.auth)) return route;
  const check = bearerTokenCheck(deps.auth.bearerToken);
  return {
    ...route,
    handler: async (event) => {
      check(event.headers?.authorization);
      return route.handler(event);
    },
  };
}

/** 405 with Allow when the path exists under other methods, else 404. */
function noRoute(routes: readonly Route[]) {
  const patterns = routes.map(({ operation }) => ({
    method: operation.method,
    pattern: pathPattern(operation.path),
  }));
  return ({ method, path }: { method: string; path: string }): never => {
    const allowed = [...new Set(patterns.filter((p) => p.pattern.test(path)).map((p) => p.method))];
    if (allowed.length > 0) {
      throw new HttpError(
        405,
        'METHOD_NOT_ALLOWED',
        `${method} is not allowed on ${path}; use ${allowed.join(' or ')}`,
        {
          headers: { Allow: allowed.join(', ') },
        },
      );
    }
    throw new HttpError(404, 'ROUTE_NOT_FOUND', `no such endpoint: ${method} ${path}`);
  };
}

function errorResponses(deps: ApiDeps): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> {
  const withRequestId = (response: APIGatewayProxyStructuredResultV2, requestId: string) => ({
    ...response,
    headers: { ...response.headers, 'X-Request-Id': requestId },
  });
  return {
    after: async (request) => {
      request.response = withRequestId(
        request.response as APIGatewayProxyStructuredResultV2,
        requestIdOf(request.event),
      );
    },
    onError: async (request) => {
      const requestId = requestIdOf(request.event);
      request.response = withRequestId(errorResponse(request.error, requestId, deps.log), requestId);
    },
  };
}

export function makeApiHandler(deps: ApiDeps): ApiHandler {
  const routes = apiRoutes(deps).map((route) => authenticated(route, deps));
  const router = httpRouterHandler<APIGatewayProxyEventV2, APIGatewayProxyResultV2>({
    routes: routes.map(({ operation: { method, path }, handler }) => ({ method, path, handler })),
    notFoundResponse: noRoute(routes),
  });
  // Registration order matters for onError (run in reverse): errors are mapped first, then
  // the security headers are added to whatever response came out.
  return middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
    .use(httpSecurityHeaders())
    .use(errorResponses(deps))
    .handler(router);
}
