import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

export interface Route {
  method: Method;
  /** API Gateway style: `/upgrades/{id}`. */
  path: string;
  handler: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
  /** Reachable without credentials (health checks). */
  public?: boolean;
}

/** A regular expression for a route path; `{name}` matches one segment. */
export function pathPattern(path: string): RegExp {
  const escaped = path
    .split(/(\{[^/]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${escaped}/?$`);
}
