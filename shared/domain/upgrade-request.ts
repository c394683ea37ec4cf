/**
 * What an Idempotency-Key stands for: the whole upgrade request, normalized so that spellings of
 * one request agree (`v4.1.2` and `4.1.2`; options absent, `{}` or spelt out at their defaults;
 * callback URLs the WHATWG parser equates) while every difference in what the job would do shows.
 * A job keeps its request in this form, so a stored job's fingerprint is that of the request
 * that created it.
 */
import { createHash } from 'node:crypto';
import semver from 'semver';
import type { Job, JobOptions } from './job.ts';

/** How long an Idempotency-Key stands for its request unless configured otherwise. */
export const DEFAULT_IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

export type UpgradeRequest = Pick<Job, 'cluster' | 'targetVersion' | 'options' | 'callbackUrl' | 'batchId'>;

/** Every field present, absent ones as null: adding a JobOptions field fails to compile until it is here. */
export interface CanonicalUpgradeRequest {
  batchId: string | null;
  callbackUrl: string | null;
  cluster: string;
  options: { [K in keyof Required<JobOptions>]: NonNullable<JobOptions[K]> | null };
  targetVersion: string;
}

const normalizedUrl = (url: string) => (URL.canParse(url) ? new URL(url).href : url);

export function canonicalUpgradeRequest(request: UpgradeRequest): CanonicalUpgradeRequest {
  const { options, callbackUrl } = request;
  return {
    batchId: request.batchId ?? null,
    callbackUrl: callbackUrl === undefined ? null : normalizedUrl(callbackUrl),
    cluster: request.cluster,
    options: {
      includePrerelease: options.includePrerelease ?? false,
      // Absent follows the server's default, which may change: not the same as any explicit age.
      maxBackupAgeSeconds: options.maxBackupAgeSeconds ?? null,
      skipBackupCheck: options.skipBackupCheck ?? false,
      takeBackup: options.takeBackup ?? false,
    },
    targetVersion: semver.valid(request.targetVersion) ?? request.targetVersion,
  };
}

/** JSON with the keys of every object sorted: one text per value, whatever order it was built in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/** sha256 (hex) of the canonical request. */
export function upgradeRequestFingerprint(request: UpgradeRequest): string {
  return createHash('sha256')
    .update(canonicalJson(canonicalUpgradeRequest(request)))
    .digest('hex');
}

/** The top-level fields in which two requests differ once normalized, sorted. */
export function differingFields(a: UpgradeRequest, b: UpgradeRequest): string[] {
  const left = canonicalUpgradeRequest(a);
  const right = canonicalUpgradeRequest(b);
  return (Object.keys(left) as (keyof CanonicalUpgradeRequest)[])
    .filter((field) => canonicalJson(left[field]) !== canonicalJson(right[field]))
    .sort();
}
