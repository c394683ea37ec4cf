import type { FieldMatcher } from '#sim/store/field-selector.ts';
import type { WatchEventType } from '#sim/store/kube-object.ts';
import type { LabelMatcher, Labels } from '#sim/store/label-selector.ts';

/** One stored object version. Immutable: writes replace entries, so events can share them. */
export interface StoredEntry {
  readonly json: string;
  readonly apiVersion: string;
  readonly namespace: string | undefined;
  readonly name: string;
  readonly labels: Labels;
  readonly rv: number;
}

export interface HistoryEvent {
  readonly rv: number;
  readonly type: WatchEventType;
  readonly storageKey: string;
  readonly entry: StoredEntry;
  /** The version this write replaced, so selector watches can turn "left the selector" into DELETED. */
  readonly previous: StoredEntry | undefined;
}

export interface EntryFilter {
  storageKey: string;
  namespace?: string | undefined;
  labels?: LabelMatcher | undefined;
  fields?: FieldMatcher | undefined;
}

export function entryMatches(filter: EntryFilter, entry: StoredEntry): boolean {
  if (filter.namespace !== undefined && entry.namespace !== filter.namespace) return false;
  if (filter.labels && !filter.labels(entry.labels)) return false;
  if (filter.fields) {
    const subject = {
      name: entry.name,
      namespace: entry.namespace,
      object: () => JSON.parse(entry.json) as Record<string, unknown>,
    };
    if (!filter.fields(subject)) return false;
  }
  return true;
}

/**
 * What a filtered watcher sees of an event, as the apiserver watch cache reports it: an object that
 * starts matching is ADDED, one that stops matching is DELETED (carrying its new state).
 */
export function eventForFilter(
  filter: EntryFilter,
  event: HistoryEvent,
): { type: WatchEventType; entry: StoredEntry } | undefined {
  if (event.storageKey !== filter.storageKey) return undefined;
  const now = entryMatches(filter, event.entry);
  if (event.type !== 'MODIFIED') return now ? { type: event.type, entry: event.entry } : undefined;
  const before = event.previous !== undefined && entryMatches(filter, event.previous);
  if (now) return { type: before ? 'MODIFIED' : 'ADDED', entry: event.entry };
  return before ? { type: 'DELETED', entry: event.entry } : undefined;
}

/** A bounded ring of the latest events of one cluster (the watch cache a watch may resume from). */
export class EventHistory {
  readonly #ring: (HistoryEvent | undefined)[];
  #next = 0;
  #size = 0;
  #droppedUpTo = 0;

  constructor(limit: number) {
    this.#ring = new Array(Math.max(1, limit));
  }

  push(event: HistoryEvent): void {
    const evicted = this.#ring[this.#next];
    if (evicted) this.#droppedUpTo = evicted.rv;
    this.#ring[this.#next] = event;
    this.#next = (this.#next + 1) % this.#ring.length;
    this.#size = Math.min(this.#size + 1, this.#ring.length);
  }

  /** Whether every event after `rv` is still retained. */
  covers(rv: number): boolean {
    return rv >= this.#droppedUpTo;
  }

  /** The oldest resourceVersion a watch can still resume from. */
  get oldest(): number {
    return this.#droppedUpTo;
  }

  /** Retained events with resourceVersion greater than `rv`, oldest first. */
  since(rv: number): HistoryEvent[] {
    const out: HistoryEvent[] = [];
    const length = this.#ring.length;
    for (let i = 0; i < this.#size; i++) {
      const event = this.#ring[(this.#next - this.#size + i + length) % length];
      if (event && event.rv > rv) out.push(event);
    }
    return out;
  }
}
