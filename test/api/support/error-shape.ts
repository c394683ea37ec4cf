import { isDeepStrictEqual } from 'node:util';
import { type ErrorBody, errorBodySchema } from '#shared/http/api-replies.ts';

export type ErrorShape = ErrorBody['error'];

/** The error of a body with exactly the contract's shape; throws, naming the body, otherwise. */
export function errorShapeOf(body: string): ErrorShape {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new Error(`not JSON: ${body}`);
  }
  const parsed = errorBodySchema.safeParse(value);
  if (!parsed.success || !isDeepStrictEqual(parsed.data, value))
    throw new Error(`not the JSON error shape: ${body}`);
  return parsed.data.error;
}
