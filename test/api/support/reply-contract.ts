/**
 * The API's replies against the contract (shared/http/api-contract.ts), which the CLI parses them
 * with and the OpenAPI document is generated from. Every reply an API test receives goes through
 * this: its status must be one the operation declares (a reply or a refusal), an error must have
 * exactly the error shape, and a reply must parse with nothing left over, so a field the server
 * adds without adding it to the contract fails the tests instead of vanishing in the CLI.
 */
import { expect } from 'vitest';
import type * as z from 'zod';
import { API_OPERATIONS, type Operation, refusalsOf } from '#shared/http/api-contract.ts';
import { errorBodySchema } from '#shared/http/api-replies.ts';
import { pathPattern } from '#shared/http/route.ts';

/** What no operation answers: a path the API does not have, or a method it does not take there. */
const ROUTING_REFUSALS = [404, 405];

export function operationFor(method: string, path: string): Operation | undefined {
  const { pathname } = new URL(path, 'http://api.invalid');
  return API_OPERATIONS.find((op) => op.method === method && pathPattern(op.path).test(pathname));
}

function schemaFor(op: Operation | undefined, status: number, what: string): z.ZodType {
  if (status >= 400) {
    const declared = op ? Object.keys(refusalsOf(op)).map(Number) : ROUTING_REFUSALS;
    expect(declared, `${what}: a refusal the contract does not declare`).toContain(status);
    return errorBodySchema;
  }
  const reply = op?.replies[status];
  expect(reply, `${what}: a reply the contract does not declare`).toBeDefined();
  return reply?.schema as z.ZodType;
}

/** Checks one reply (read from a clone, so the caller can still read the body). */
export async function expectReplyContract(method: string, path: string, response: Response): Promise<void> {
  const text = await response.clone().text();
  const what = `${method} ${path} -> ${response.status} ${text.slice(0, 500)}`;
  const schema = schemaFor(operationFor(method, path), response.status, what);
  expect(response.headers.get('content-type'), what).toMatch(/^application\/json/);
  const body: unknown = JSON.parse(text);
  const parsed = schema.safeParse(body);
  const issues = parsed.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [];
  expect(parsed.success, `${what}: ${issues.join('; ')}`).toBe(true);
  expect(parsed.data, `${what}: a field the contract does not know`).toEqual(body);
}
