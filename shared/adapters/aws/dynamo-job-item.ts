/**
 * A job as its DynamoDB item holds it. The job is stored as Brotli-compressed JSON: a single-hop
 * job of 2.2 KB takes 0.76 KB (gzip: 0.91 KB, which with the keys beside it passes 1 KB), so each
 * of its dozen writes per hop costs one write unit instead of two (bench fleet's cost model).
 * Brotli's default (and slowest) quality on purpose: quality 5 compresses a job in 0.13 ms
 * instead of 2.6 ms but 65 bytes larger, which puts a single-hop item at the edge of 1 KB, and a
 * second write unit on each write costs ~25 times the CPU saved. Items written before are maps,
 * and are read as they are.
 */
import { brotliCompressSync, brotliDecompressSync } from 'node:zlib';
import { readStoredJob, storedJob } from '#adapters/stored-job.ts';
import { UnreadableRecordError } from '#domain/errors.ts';
import type { Job } from '#domain/job.ts';
import { jobItemIndex } from './dynamo-job-index.ts';
import { keys } from './dynamo-schema.ts';

/** The id of a job item, from its key (JOB#<id>). */
export const jobIdOf = (item: Record<string, unknown>) => String(item.pk).replace(/^JOB#/, '');

/** The stored job of an item: compressed JSON, or (written before compression) a map. */
export function jobOf(item: Record<string, unknown>, id: string): Job {
  const stored = item.job;
  if (!(stored instanceof Uint8Array)) return readStoredJob(stored, id);
  let record: unknown;
  try {
    record = JSON.parse(brotliDecompressSync(stored).toString('utf8'));
  } catch (error) {
    throw new UnreadableRecordError(`stored job ${id} is not compressed JSON`, { cause: error });
  }
  return readStoredJob(record, id);
}

export function jobItem(job: Job): Record<string, unknown> {
  return {
    ...keys.job(job.id),
    version: job.version,
    job: brotliCompressSync(JSON.stringify(storedJob(job))),
    ...jobItemIndex(job),
  };
}
