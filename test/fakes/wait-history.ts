import { checkSlot, type WaitRecord } from '#domain/wait-history.ts';
import type { WaitHistory } from '#shared/ports.ts';

/** WaitHistory in a Map, one record per slot, refusing the slots a real store refuses. */
export class InMemoryWaitHistory implements WaitHistory {
  readonly slots = new Map<number, WaitRecord>();

  async recent(): Promise<WaitRecord[]> {
    return [...this.slots.values()].map((record) => structuredClone(record));
  }

  async record(slot: number, record: WaitRecord): Promise<void> {
    checkSlot(slot);
    // A copy, as a real store keeps: a caller changing its object afterwards changes nothing here.
    this.slots.set(slot, structuredClone(record));
  }
}
