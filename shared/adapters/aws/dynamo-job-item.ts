/**
 * A job as its DynamoDB item holds it: its JSON compressed with zstd against a dictionary of
 * what jobs have in common (job-dictionary.ts), whose number the item records in `dict`. A
 * single-hop job of 2.2 KB takes about 220 bytes (Brotli: 760), a three-hop one under 600, so
 * each of a job's dozen writes per hop is one write unit with room for several hops more, and
 * compressing one takes 0.2 ms where Brotli at the size it needed took 2.5.
 *
 * Items written before are read as they are: without `dict`, Brotli-compressed JSON; before
 * that, a map.
 */
import { brotliDecompressSync, constants, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { readStoredJob, storedJob } from '#adapters/stored-job.ts';
import { UnreadableRecordError } from '#domain/errors.ts';
import type { Job } from '#domain/job.ts';
import { jobItemIndex } from './dynamo-job-index.ts';
import { keys } from './dynamo-schema.ts';
import { CURRENT_JOB_DICTIONARY, JOB_DICTIONARIES } from './job-dictionary.ts';

/**
 * Past zstd's default (3), level 12 takes a three-hop job from 661 bytes to 579 in 0.2 ms
 * instead of 0.15; higher levels gain nothing more on jobs and take three times as long.
 */
const COMPRESSION_LEVEL = 12;

/** The id of a job item, from its key (JOB#<id>). */
export const jobIdOf = (item: Record<string, unknown>) => String(item.pk).replace(/^JOB#/, '');

/** The dictionary an item was compressed with; undefined: Brotli, as items were before. */
function dictionaryOf(dict: unknown, id: string): Buffer | undefined {
  if (dict === undefined) return undefined;
  const dictionary = typeof dict === 'number' ? JOB_DICTIONARIES[dict] : undefined;
  // A newer release wrote it: reading it any other way would be a guess.
  if (!dictionary) {
    throw new UnreadableRecordError(
      `stored job ${id} is compressed with dictionary ${String(dict)}, which this release does not have`,
    );
  }
  return dictionary;
}

/** The stored job of an item: compressed JSON, or (written before compression) a map. */
export function jobOf(item: Record<string, unknown>, id: string): Job {
  const stored = item.job;
  if (!(stored instanceof Uint8Array)) return readStoredJob(stored, id);
  const dictionary = dictionaryOf(item.dict, id);
  let record: unknown;
  try {
    const json = dictionary ? zstdDecompressSync(stored, { dictionary }) : brotliDecompressSync(stored);
    record = JSON.parse(json.toString('utf8'));
  } catch (error) {
    throw new UnreadableRecordError(`stored job ${id} is not compressed JSON`, { cause: error });
  }
  return readStoredJob(record, id);
}

export function jobItem(job: Job): Record<string, unknown> {
  return {
    ...keys.job(job.id),
    version: job.version,
    job: zstdCompressSync(JSON.stringify(storedJob(job)), {
      dictionary: JOB_DICTIONARIES[CURRENT_JOB_DICTIONARY],
      params: { [constants.ZSTD_c_compressionLevel]: COMPRESSION_LEVEL },
    }),
    dict: CURRENT_JOB_DICTIONARY,
    ...jobItemIndex(job),
  };
}
