/**
 * A registered webhook endpoint: where events of the types it subscribes to are sent, and its
 * standing. `failing` means a delivery to it exhausted its retries (it still gets new events and
 * is `active` again after a success); `disabled` means it answered 410 Gone and gets nothing more.
 * Its signing secrets are kept apart (WebhookSecretStore) and never part of this record.
 */
import * as z from 'zod';

export const ENDPOINT_STATUSES = ['active', 'failing', 'disabled'] as const;
export type EndpointStatus = (typeof ENDPOINT_STATUSES)[number];

export const endpointSchema = z.object({
  id: z.string().min(1),
  url: z.string(),
  events: z.array(z.string()),
  description: z.string().optional(),
  createdAt: z.iso.datetime(),
  status: z.enum(ENDPOINT_STATUSES),
  /** Why it is failing or disabled. */
  statusReason: z.string().optional(),
});
export type WebhookEndpoint = z.infer<typeof endpointSchema>;

/** A Standard Webhooks secret as configured: `whsec_` and the base64 of at least 24 bytes. */
export const whsecSchema = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/, 'must be whsec_ followed by base64 of at least 24 bytes');

/** Several secrets in one setting, space- or comma-separated (two during a rotation). */
export const whsecListSchema = z
  .string()
  .transform((text) => text.split(/[\s,]+/).filter((each) => each !== ''))
  .pipe(z.array(whsecSchema).min(1));

/** One signing secret (`whsec_...`); an old one expires at the end of a rotation's overlap. */
export const signingSecretSchema = z.object({
  secret: z.string().startsWith('whsec_'),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().optional(),
});
export type SigningSecret = z.infer<typeof signingSecretSchema>;

/** The secrets that sign at `now`: the newest first, then those still in their overlap. */
export function signingSecrets(secrets: readonly SigningSecret[], now: Date): string[] {
  return secrets
    .filter((each) => each.expiresAt === undefined || Date.parse(each.expiresAt) > now.getTime())
    .toSorted((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))
    .map((each) => each.secret);
}

/** After a rotation: the new secret, and the ones still signing, expiring at most `overlap` from now. */
export function rotated(
  secrets: readonly SigningSecret[],
  fresh: string,
  now: Date,
  overlapSeconds: number,
): SigningSecret[] {
  const until = now.getTime() + overlapSeconds * 1000;
  const kept = secrets
    .filter((each) => each.expiresAt === undefined || Date.parse(each.expiresAt) > now.getTime())
    .map((each) => ({
      ...each,
      expiresAt: new Date(
        Math.min(until, Date.parse(each.expiresAt ?? '9999-12-31T00:00:00Z')),
      ).toISOString(),
    }))
    .filter((each) => overlapSeconds > 0 && Date.parse(each.expiresAt) > now.getTime());
  return [{ secret: fresh, createdAt: now.toISOString() }, ...kept];
}
