/**
 * What every BatchStore must do (the port's contract in #shared/ports.ts), run against each
 * adapter: whole batches back, idempotency keys, newest-first lists, conditional updates that
 * commit their events with them, events recorded once.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError } from '#domain/errors.ts';
import type { BatchStore, IdempotencyRecord } from '#shared/ports.ts';
import { startedBatch, testBatch } from '#test/fakes/batches.ts';

const key = (name: string, fingerprint = 'f'.repeat(64), expiresAt = '2026-03-03T10:00:00.000Z') =>
  ({ key: name, fingerprint, expiresAt }) satisfies IdempotencyRecord;

export function batchStoreContract(make: () => Promise<BatchStore>): void {
  describe('the BatchStore contract', () => {
    it('stores and returns a batch whole', async () => {
      const store = await make();
      const batch = testBatch('b1', {
        strategy: {
          canary: 1,
          window: { days: ['Mon'], start: '01:00', end: '05:00', timeZone: 'Europe/Berlin' },
        },
      });

      const created = await store.create(batch);

      expect(created).toEqual({ created: true, batch });
      expect(await store.get('b1')).toEqual(batch);
      expect(await store.get('missing')).toBeUndefined();
    });

    it('returns the batch of a live Idempotency-Key with its fingerprint, and forgets an expired one', async () => {
      const store = await make();
      await store.create(testBatch('b1'), key('k'));

      const replay = await store.create(testBatch('b2'), key('k', 'e'.repeat(64)));
      const later = testBatch('b3', { at: '2026-03-04T10:00:00.000Z' });
      const afterExpiry = await store.create(later, key('k', 'd'.repeat(64), '2026-03-05T10:00:00.000Z'));

      expect(replay).toMatchObject({ created: false, batch: { id: 'b1' }, fingerprint: 'f'.repeat(64) });
      expect(await store.get('b2')).toBeUndefined();
      expect(afterExpiry).toMatchObject({ created: true, batch: { id: 'b3' } });
      expect(await store.create(testBatch('b4'), key('k'))).toMatchObject({
        created: false,
        batch: { id: 'b3' },
      });
    });

    it('finds the batch of a live Idempotency-Key without creating anything, and none for an expired or unknown key', async () => {
      const store = await make();
      await store.create(testBatch('b1'), key('k'));

      const live = await store.findByIdempotencyKey('k', '2026-03-03T09:59:59.000Z');
      const expired = await store.findByIdempotencyKey('k', '2026-03-03T10:00:00.000Z');
      const unknown = await store.findByIdempotencyKey('other', '2026-03-03T09:00:00.000Z');

      expect(live).toMatchObject({ batch: { id: 'b1' }, fingerprint: 'f'.repeat(64) });
      expect(expired).toBeUndefined();
      expect(unknown).toBeUndefined();
      expect(await store.list({})).toHaveLength(1);
    });

    it('lists newest first, by state, up to a limit', async () => {
      const store = await make();
      for (const [id, at] of [
        ['old', '2026-03-01T10:00:00.000Z'],
        ['new', '2026-03-03T10:00:00.000Z'],
        ['mid', '2026-03-02T10:00:00.000Z'],
      ] as const) {
        await store.create(testBatch(id, { at }));
      }
      const cancelled = {
        ...testBatch('gone', { at: '2026-03-04T10:00:00.000Z' }),
        state: 'cancelled' as const,
      };
      await store.create(cancelled);

      expect((await store.list({})).map((b) => b.id)).toEqual(['gone', 'new', 'mid', 'old']);
      expect((await store.list({ limit: 2 })).map((b) => b.id)).toEqual(['gone', 'new']);
      expect((await store.list({ state: 'running' })).map((b) => b.id)).toEqual(['new', 'mid', 'old']);
    });

    it('writes a decision and its events only on the version the writer read', async () => {
      const store = await make();
      const batch = testBatch('b1');
      await store.create(batch);
      const decision = startedBatch(batch);
      const rival = { ...decision.batch, reason: 'a rival decision' };
      const rivalEvents = decision.events.map((event) => ({
        ...event,
        id: `b1:9${event.seq}`,
        seq: 90 + event.seq,
      }));

      await store.update(decision.batch, batch.version, decision.events);
      const lost = store.update(rival, batch.version, rivalEvents);

      await expect(lost).rejects.toBeInstanceOf(ConflictError);
      expect(await store.get('b1')).toEqual(decision.batch);
      expect((await store.events('b1')).map((event) => event.id)).toEqual(decision.events.map((e) => e.id));
      expect(decision.events.length).toBeGreaterThan(0);
    });

    it('records an event id once, oldest first, per batch', async () => {
      const store = await make();
      const batch = testBatch('b1');
      await store.create(batch);
      await store.create(testBatch('b2'));
      const first = startedBatch(batch);
      await store.update(first.batch, batch.version, first.events);
      const again = { ...first.batch, version: first.batch.version + 1 };
      const renamed = first.events.map((event) => ({ ...event, reason: 'written again' }));

      await store.update(again, first.batch.version, [...renamed].reverse());

      expect(await store.events('b1')).toEqual(first.events);
      expect(await store.events('b2')).toEqual([]);
    });

    it('keeps how far the events were published apart from the batch, and only ever raises it', async () => {
      const store = await make();
      const batch = testBatch('b1');
      await store.create(batch);
      await store.create(testBatch('b2'));
      const before = await store.publishedThrough('b1');

      await store.markPublished('b1', 3);
      await store.markPublished('b1', 2);

      expect(before).toBe(0);
      expect(await store.publishedThrough('b1')).toBe(3);
      expect(await store.publishedThrough('b2')).toBe(0);
      expect(await store.get('b1')).toEqual(batch);
    });

    it('refuses to update a batch it does not have', async () => {
      const store = await make();
      const batch = testBatch('b1');

      await expect(store.update({ ...batch, version: 1 }, 0)).rejects.toBeInstanceOf(ConflictError);
    });
  });
}
