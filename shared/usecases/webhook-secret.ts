/** A new signing secret: 32 random bytes, base64, with the `whsec_` prefix Standard Webhooks uses. */
import { randomBytes } from 'node:crypto';

export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
