import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Operation } from './api-contract.ts';

/** An operation of the contract and the handler that serves it. */
export interface Route {
  operation: Operation;
  handler: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
}

/** A regular expression for a route path; `{name}` matches one segment. */
export function pathPattern(path: string): RegExp {
  const escaped = path
    .split(/(\{[^/]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${escaped}/?$`);
}
