import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Operation, ReplyBody } from './api-contract.ts';

export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/** A reply the contract declares for `op`: the compiler holds the body to that status's schema. */
export function reply<O extends Operation, S extends keyof O['replies'] & number>(
  _op: O,
  status: S,
  body: ReplyBody<O, S>,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return json(status, body, headers);
}
