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

/**
 * A bounded ring of the latest events of one cluster (the watch cache a watch may resume from),
 * capped by count and by the bytes of the object versions it holds, so a chatty cluster cannot
 * grow without bound. Events older than what is kept answer a resuming watch with 410 Expired.
 */
export class EventHistory {
  readonly #ring: (HistoryEvent | undefined)[];
  readonly #maxBytes: number;
  #next = 0;
  #size = 0;
  #bytes = 0;
  #droppedUpTo = 0;

  constructor(limit: number, maxBytes = Number.POSITIVE_INFINITY) {
    this.#ring = new Array(Math.max(1, limit));
    this.#maxBytes = maxBytes;
  }

  push(event: HistoryEvent): void {
    if (this.#size === this.#ring.length) this.#evictOldest();
    this.#ring[this.#next] = event;
    this.#next = (this.#next + 1) % this.#ring.length;
    this.#size += 1;
    this.#bytes += event.entry.json.length;
    while (this.#bytes > this.#maxBytes && this.#size > 1) this.#evictOldest();
  }

  #evictOldest(): void {
    const index = (this.#next - this.#size + this.#ring.length) % this.#ring.length;
    const evicted = this.#ring[index];
    this.#ring[index] = undefined;
    this.#size -= 1;
    if (evicted) {
      this.#droppedUpTo = evicted.rv;
      this.#bytes -= evicted.entry.json.length;
    }
  }

  /** Forgets every event up to `rv` (a store restored at `rv` has none of them). */
  compactTo(rv: number): void {
    this.#ring.fill(undefined);
    this.#next = 0;
    this.#size = 0;
    this.#bytes = 0;
    this.#droppedUpTo = rv;
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
