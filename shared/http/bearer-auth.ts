/**
 * Bearer-token authentication for the local API. Both sides are hashed first so the comparison
 * is constant-time over equal-length digests: neither the token's content nor its length leaks
 * through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '#domain/errors.ts';

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Returns a check that throws UnauthorizedError unless the Authorization header carries `token`. */
export function bearerTokenCheck(token: string): (authorization: string | undefined) => void {
  const expected = digest(token);
  return (authorization) => {
    const presented = BEARER.exec(authorization ?? '')?.[1];
    // Always compare (against a dummy when absent) so a missing token costs the same time.
    const equal = timingSafeEqual(digest(presented ?? ''), expected);
    if (!presented || !equal) throw new UnauthorizedError();
  };
}
