/**
 * What earlier upgrades took per stage, kept beyond one rollout (WaitHistory, #shared/ports.ts),
 * so a single upgrade, or a rollout's first wave, times its first looks like the later jobs of a
 * rollout do (#domain/stage-durations.ts) on every runtime: a Lambda instance's memory neither
 * travels nor lasts.
 *
 * The history is HISTORY_SLOTS records, one succeeded job's stage times each. A job writes the slot
 * its id hashes to, so the record is one blind write that a redelivery repeats harmlessly, and
 * concurrent jobs never read-modify-write a shared list. A job told what to expect of a stage does
 * not teach it (stageSeconds leaves such stages out: its time would only confirm the expectation),
 * so the records would never be renewed while they are used: they count for
 * HISTORY_MAX_AGE_SECONDS, and once they are older the next jobs look on their own and renew them.
 */
import { createHash } from 'node:crypto';
import type { StageSeconds } from '#domain/job.ts';
import { addWaitSamples, expectedWaits, type WaitSamples } from '#domain/stage-durations.ts';

export const HISTORY_SLOTS = 20;

/** A week: a platform's catalog sync and install times change with its configuration, rarely. */
export const HISTORY_MAX_AGE_SECONDS = 7 * 24 * 3600;

/** One succeeded job's stage times and when it ended. */
export interface WaitRecord {
  seconds: StageSeconds;
  at: string;
}

/** The slot `jobId` writes: the same for every record of that job. */
export function historySlot(jobId: string): number {
  return createHash('sha256').update(jobId).digest().readUInt32BE(0) % HISTORY_SLOTS;
}

/** A slot outside the history is the caller's bug; every store refuses it alike. */
export function checkSlot(slot: number): void {
  if (!Number.isInteger(slot) || slot < 0 || slot >= HISTORY_SLOTS) {
    throw new Error(`wait history slot ${slot} is not an integer in [0, ${HISTORY_SLOTS})`);
  }
}

/** What a job started at `now` should expect of each stage, from the records still current. */
export function historyExpectation(records: readonly WaitRecord[], now: Date): StageSeconds | undefined {
  const oldest = now.getTime() - HISTORY_MAX_AGE_SECONDS * 1000;
  const samples = records
    .filter((record) => Date.parse(record.at) >= oldest)
    .reduce<WaitSamples>((kept, record) => addWaitSamples(kept, record.seconds), {});
  return expectedWaits(samples);
}
