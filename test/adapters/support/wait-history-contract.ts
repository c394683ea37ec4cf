/**
 * What every WaitHistory must do (the port's contract in #shared/ports.ts), run against each
 * adapter: one record per slot, a record replacing its slot's, every slot kept side by side.
 */
import { describe, expect, it } from 'vitest';
import { HISTORY_SLOTS, type WaitRecord } from '#domain/wait-history.ts';
import type { WaitHistory } from '#shared/ports.ts';

export const waitRecord = (seconds: number, at = '2026-03-01T12:00:00.000Z'): WaitRecord => ({
  seconds: { 'check-backup': seconds, verify: seconds * 2 },
  at,
});

const byTime = (records: WaitRecord[]) => [...records].sort((a, b) => a.at.localeCompare(b.at));

export function waitHistoryContract(make: () => Promise<WaitHistory>): void {
  describe('the WaitHistory contract', () => {
    it('has no records before any is written', async () => {
      // Prepare
      const history = await make();
      // Act
      const records = await history.recent();
      // Assess
      expect(records).toEqual([]);
    });

    it('reads a record back as written', async () => {
      // Prepare
      const history = await make();
      const record = { seconds: { validate: 0, 'upload-package': 95 }, at: '2026-03-01T12:00:00.000Z' };
      // Act
      await history.record(3, record);
      // Assess
      expect(await history.recent()).toEqual([record]);
    });

    it("replaces a slot's record with the next one written to it", async () => {
      // Prepare
      const history = await make();
      await history.record(7, waitRecord(60));
      // Act
      await history.record(7, waitRecord(120, '2026-03-02T12:00:00.000Z'));
      // Assess
      expect(await history.recent()).toEqual([waitRecord(120, '2026-03-02T12:00:00.000Z')]);
    });

    it('keeps the records of different slots side by side', async () => {
      // Prepare
      const history = await make();
      const written = Array.from({ length: HISTORY_SLOTS }, (_, slot) =>
        waitRecord(slot, new Date(Date.UTC(2026, 2, 1, slot)).toISOString()),
      );
      // Act
      for (const [slot, record] of written.entries()) await history.record(slot, record);
      // Assess
      const records = await history.recent();
      expect(records).toHaveLength(HISTORY_SLOTS);
      expect(byTime(records)).toEqual(written);
    });

    it('refuses a slot outside the history as a programming error', async () => {
      // Prepare
      const history = await make();
      // Act
      const refused = [-1, HISTORY_SLOTS, 1.5].map((slot) =>
        history.record(slot, waitRecord(1)).then(
          () => undefined,
          (error: unknown) => error,
        ),
      );
      // Assess
      for (const error of await Promise.all(refused)) expect(error).toBeInstanceOf(Error);
      expect(await history.recent()).toEqual([]);
    });
  });
}
