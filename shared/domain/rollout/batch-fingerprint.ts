/**
 * What an Idempotency-Key stands for on `POST /batches`: the whole request as validated (its
 * defaults filled in, versions and quantities normalized by the schema), except `dryRun`, which
 * creates nothing. The clusters' order stays: it is the order the waves take them in.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '#domain/upgrade-request.ts';
import type { BatchRequest } from './batch-request.ts';

export function batchRequestFingerprint(request: BatchRequest): string {
  const { dryRun: _, ...rest } = request;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}
