/**
 * The API's replies against the contract the CLI parses them with (shared/http/api-replies.ts).
 * Every reply an API test receives goes through this: an error must have exactly the error
 * shape, and an upgrade reply must parse with nothing left over, so a field the server adds
 * without adding it to the contract fails the tests instead of vanishing in the CLI.
 */
import { expect } from 'vitest';
import type { z } from 'zod';
import { errorBodySchema, jobListSchema, jobViewSchema } from '#shared/http/api-replies.ts';

const UPGRADE_REPLIES: { method: string; path: RegExp; schema: z.ZodType }[] = [
  { method: 'POST', path: /^\/upgrades$/, schema: jobViewSchema },
  { method: 'GET', path: /^\/upgrades$/, schema: jobListSchema },
  { method: 'GET', path: /^\/upgrades\/[^/]+$/, schema: jobViewSchema },
  { method: 'POST', path: /^\/upgrades\/[^/]+\/cancel$/, schema: jobViewSchema },
];

function schemaFor(method: string, path: string, status: number): z.ZodType | undefined {
  if (status >= 400) return errorBodySchema;
  const { pathname } = new URL(path, 'http://api.invalid');
  return UPGRADE_REPLIES.find((reply) => reply.method === method && reply.path.test(pathname))?.schema;
}

/** Checks one reply (read from a clone, so the caller can still read the body). */
export async function expectReplyContract(method: string, path: string, response: Response): Promise<void> {
  const schema = schemaFor(method, path, response.status);
  if (schema === undefined) return;
  const text = await response.clone().text();
  const what = `${method} ${path} -> ${response.status} ${text}`;
  expect(response.headers.get('content-type'), what).toMatch(/^application\/json/);
  const body: unknown = JSON.parse(text);
  const parsed = schema.safeParse(body);
  expect(parsed.error?.issues, what).toBeUndefined();
  expect(parsed.data, `${what}: a field the contract does not know`).toEqual(body);
}
