export interface ErrorShape {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** The error of a body with exactly the contract's shape; throws, naming the body, otherwise. */
export function errorShapeOf(body: string): ErrorShape {
  const parsed = JSON.parse(body) as { error?: Partial<ErrorShape> };
  const error = parsed.error;
  const extra = Object.keys(error ?? {}).filter((key) => !['code', 'message', 'details'].includes(key));
  if (Object.keys(parsed).join() !== 'error' || typeof error?.code !== 'string') {
    throw new Error(`not the JSON error shape: ${body}`);
  }
  if (typeof error.message !== 'string' || extra.length > 0) throw new Error(`malformed error body: ${body}`);
  return error as ErrorShape;
}
