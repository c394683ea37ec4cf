import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { apiVersionOf, type ResourceType } from '#sim/resource-types.ts';
import { alreadyExists, badRequest, conflict, expired, invalid, notFound } from '#sim/store/api-error.ts';
import { decodeContinue, encodeContinue } from '#sim/store/continue-token.ts';
import {
  type EntryFilter,
  EventHistory,
  entryMatches,
  eventForFilter,
  type HistoryEvent,
  type StoredEntry,
} from '#sim/store/event-history.ts';
import { type FieldMatcher, parseFieldSelector } from '#sim/store/field-selector.ts';
import type { KubeObject, StoreEvent, WatchEventType } from '#sim/store/kube-object.ts';
import { type LabelMatcher, parseLabelSelector } from '#sim/store/label-selector.ts';
import { copyObject, generationSubject, kubeTimestamp, normalizeIdentity } from '#sim/store/object-meta.ts';
import { applySchema } from '#sim/store/schema-validation.ts';
import { answerUnknownFields, type WriteOptions } from '#sim/store/write-options.ts';

export type { KubeObject, ObjectMeta, StoreEvent, WatchEventType } from '#sim/store/kube-object.ts';
export type { FieldValidation, WriteOptions } from '#sim/store/write-options.ts';

/** Where a store's writes go to survive a restart (sim/state/fleet-state.ts). */
export interface StorePersistence {
  /** Runs `write` (a commit and every write its listeners make) as one durable transaction. */
  atomically<T>(write: () => T): T;
  /** Records the stored version of `key` in bucket `storageKey` (undefined: deleted) and the store's rv. */
  saved(storageKey: string, key: string, entry: StoredEntry | undefined, rv: number): void;
}

/** One stored object, as persistence hands it back. */
export interface PersistedEntry {
  storageKey: string;
  key: string;
  entry: StoredEntry;
}

export interface ClusterStoreOptions {
  persistence?: StorePersistence;
  /** Events kept for watches to resume from (older resourceVersions get 410 Expired). Default 1000. */
  historyLimit?: number;
  /** Cap on the serialized size of the object versions those events hold. Default 256 KiB. */
  historyBytes?: number;
}

export interface ListJsonOptions {
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  limit?: number | undefined;
  continue?: string | undefined;
}

export interface ListJsonResult {
  /** Each item already serialized, so the HTTP layer concatenates instead of re-serializing. */
  items: string[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface WatchJsonOptions {
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  /** Absent or '0': ADDED for every current object first, then live events. Else events after it. */
  resourceVersion?: string | undefined;
}

export type JsonWatchListener = (type: WatchEventType, objectJson: string) => void;

interface Delivery {
  event: HistoryEvent;
  resource: ResourceType;
}

interface Watcher {
  filter: EntryFilter;
  apiVersion: string;
  onEvent: JsonWatchListener;
}

function storageKey(t: ResourceType): string {
  return `${t.group}/${t.plural}`;
}

function objectKey(t: ResourceType, namespace: string | undefined, name: string): string {
  return t.namespaced ? `${namespace ?? ''}/${name}` : name;
}

/** Serves an object under the apiVersion asked for (several served versions share one storage). */
function jsonAs(entry: StoredEntry, apiVersion: string): string {
  if (entry.apiVersion === apiVersion) return entry.json;
  const obj = JSON.parse(entry.json) as KubeObject;
  obj.apiVersion = apiVersion;
  return JSON.stringify(obj);
}

/**
 * One simulated cluster's objects: etcd plus the apiserver's write rules (resourceVersion,
 * generation, uid, optimistic concurrency, schema validation, status subresource) and its watch cache.
 * Objects are kept serialized: compact for thousands of clusters, and lists/watches stream the
 * stored text without re-serializing.
 */
export class ClusterStore {
  readonly name: string;
  readonly #objects = new Map<string, Map<string, StoredEntry>>();
  readonly #history: EventHistory;
  readonly #listeners = new Map<(e: StoreEvent) => void, ResourceType | undefined>();
  readonly #watchers = new Set<Watcher>();
  readonly #pending: Delivery[] = [];
  readonly #persistence: StorePersistence | undefined;
  #delivering = false;
  #rv = 1;

  constructor(name: string, options: ClusterStoreOptions = {}) {
    this.name = name;
    this.#history = new EventHistory(options.historyLimit ?? 1000, options.historyBytes ?? 256 * 1024);
    this.#persistence = options.persistence;
  }

  get resourceVersion(): string {
    return String(this.#rv);
  }

  /**
   * Loads what a previous run stored, before anything else uses the store. Watches may not resume
   * from before `rv` (the events are gone: 410 Expired, as after an etcd compaction).
   */
  restore(entries: PersistedEntry[], rv: number): void {
    for (const { storageKey: bucket, key, entry } of entries) {
      let objects = this.#objects.get(bucket);
      if (!objects) {
        objects = new Map();
        this.#objects.set(bucket, objects);
      }
      objects.set(key, entry);
    }
    this.#rv = rv;
    this.#history.compactTo(rv);
  }

  get(t: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const json = this.getJson(t, namespace, name);
    return json === undefined ? undefined : (JSON.parse(json) as KubeObject);
  }

  getJson(t: ResourceType, namespace: string | undefined, name: string): string | undefined {
    const entry = this.#bucket(t).get(objectKey(t, namespace, name));
    return entry && jsonAs(entry, apiVersionOf(t));
  }

  list(t: ResourceType, opts: { namespace?: string; labelSelector?: string } = {}): KubeObject[] {
    return this.listJson(t, opts).items.map((json) => JSON.parse(json) as KubeObject);
  }

  listJson(t: ResourceType, opts: ListJsonOptions = {}): ListJsonResult {
    const filter = this.#filter(t, opts);
    const start = opts.continue ? decodeContinue(opts.continue) : undefined;
    const keys = [...this.#bucket(t).keys()].sort();
    const apiVersion = apiVersionOf(t);
    const items: string[] = [];
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Number.POSITIVE_INFINITY;
    let lastKey = '';
    let index = start ? keys.findIndex((k) => k > start.after) : 0;
    if (index < 0) index = keys.length;
    for (; index < keys.length && items.length < limit; index++) {
      const key = keys[index] as string;
      const entry = this.#bucket(t).get(key) as StoredEntry;
      if (!entryMatches(filter, entry)) continue;
      items.push(jsonAs(entry, apiVersion));
      lastKey = key;
    }
    const rv = start?.rv ?? this.#rv;
    const result: ListJsonResult = { items, resourceVersion: String(rv) };
    const more = keys.slice(index).some((k) => entryMatches(filter, this.#bucket(t).get(k) as StoredEntry));
    if (more) {
      result.continue = encodeContinue(rv, lastKey);
      if (!filter.labels && !filter.fields) result.remainingItemCount = keys.length - index;
    }
    return result;
  }

  /** `createdAt` backdates an object seeded as if it had existed for a while (never set by clients). */
  create(t: ResourceType, input: KubeObject, options: WriteOptions & { createdAt?: Date } = {}): KubeObject {
    const obj = normalizeIdentity(t, input);
    const meta = obj.metadata;
    const key = objectKey(t, meta.namespace, meta.name);
    if (this.#bucket(t).has(key)) throw alreadyExists(t, meta.name);
    meta.uid = randomUUID();
    meta.creationTimestamp = kubeTimestamp(options.createdAt);
    meta.generation = 1;
    delete meta.deletionTimestamp;
    this.#validate(t, obj, options);
    // A dry-run create answers the object as it would be stored, without a resourceVersion.
    if (options.dryRun) return obj;
    return this.#commit(t, key, obj, 'ADDED');
  }

  update(t: ResourceType, input: KubeObject, options: WriteOptions = {}): KubeObject {
    const obj = normalizeIdentity(t, input);
    const current = this.#current(t, obj);
    const meta = obj.metadata;
    const kept = current.metadata;
    meta.uid = kept.uid;
    meta.creationTimestamp = kept.creationTimestamp;
    meta.generation = kept.generation;
    if (kept.deletionTimestamp) meta.deletionTimestamp = kept.deletionTimestamp;
    else delete meta.deletionTimestamp;
    if (t.statusSubresource) {
      if (current.status === undefined) delete obj.status;
      else obj.status = current.status;
    }
    // A writer that does not send managedFields keeps them, as the apiserver's field manager does.
    if (meta.managedFields === undefined && kept.managedFields !== undefined) {
      meta.managedFields = kept.managedFields;
    }
    return this.#write(t, current, obj, options);
  }

  updateStatus(t: ResourceType, input: KubeObject, options: WriteOptions = {}): KubeObject {
    const obj = normalizeIdentity(t, input);
    const current = this.#current(t, obj);
    const next = copyObject(current);
    if (obj.status === undefined) delete next.status;
    else next.status = obj.status;
    return this.#write(t, current, next, options);
  }

  delete(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    options: Pick<WriteOptions, 'dryRun'> = {},
  ): KubeObject {
    const key = objectKey(t, namespace, name);
    const entry = this.#bucket(t).get(key);
    if (!entry) throw notFound(t, name);
    const obj = JSON.parse(entry.json) as KubeObject;
    const finalizers = obj.metadata.finalizers;
    const held = Array.isArray(finalizers) && finalizers.length > 0;
    // Deletion waits for whoever owns the finalizers to remove them (an update then deletes).
    if (held && obj.metadata.deletionTimestamp) return obj;
    if (held) obj.metadata.deletionTimestamp = kubeTimestamp();
    if (options.dryRun) return obj;
    return this.#commit(t, key, obj, held ? 'MODIFIED' : 'DELETED');
  }

  /**
   * Synchronous, in-order notification of every write, or only of writes to `only` (which spares
   * the listener the copy of every other object); returns the unsubscribe function.
   */
  subscribe(listener: (e: StoreEvent) => void, only?: ResourceType): () => void {
    this.#listeners.set(listener, only);
    return () => this.#listeners.delete(listener);
  }

  /**
   * A watch as the apiserver serves it, already serialized for the wire. Throws 410 Expired when
   * `resourceVersion` is older than the retained history. Returns the stop function.
   */
  watchJson(t: ResourceType, opts: WatchJsonOptions, onEvent: JsonWatchListener): () => void {
    const filter = this.#filter(t, opts);
    const apiVersion = apiVersionOf(t);
    const from = opts.resourceVersion;
    if (from === undefined || from === '' || from === '0') {
      for (const json of this.listJson(t, opts).items) onEvent('ADDED', json);
    } else {
      const rv = Number(from);
      if (!Number.isInteger(rv) || rv < 0) throw badRequest(`invalid resource version: ${from}`);
      if (!this.#history.covers(rv))
        throw expired(`too old resource version: ${rv} (${this.#history.oldest + 1})`);
      for (const event of this.#history.since(rv)) {
        const seen = eventForFilter(filter, event);
        if (seen) onEvent(seen.type, jsonAs(seen.entry, apiVersion));
      }
    }
    const watcher: Watcher = { filter, apiVersion, onEvent };
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  }

  #bucket(t: ResourceType): Map<string, StoredEntry> {
    const key = storageKey(t);
    let bucket = this.#objects.get(key);
    if (!bucket) {
      bucket = new Map();
      this.#objects.set(key, bucket);
    }
    return bucket;
  }

  #filter(
    t: ResourceType,
    opts: {
      namespace?: string | undefined;
      labelSelector?: string | undefined;
      fieldSelector?: string | undefined;
    },
  ): EntryFilter {
    const labels: LabelMatcher | undefined = parseLabelSelector(opts.labelSelector);
    const fields: FieldMatcher | undefined = parseFieldSelector(opts.fieldSelector, t.group === '');
    return {
      storageKey: storageKey(t),
      namespace: t.namespaced ? opts.namespace || undefined : undefined,
      labels,
      fields,
    };
  }

  /** The stored object `obj` names, after the optimistic-concurrency check on its resourceVersion. */
  #current(t: ResourceType, obj: KubeObject): KubeObject {
    const { namespace, name, resourceVersion } = obj.metadata;
    const entry = this.#bucket(t).get(objectKey(t, namespace, name));
    if (!entry) throw notFound(t, name);
    if (resourceVersion !== undefined && resourceVersion !== '' && resourceVersion !== String(entry.rv)) {
      throw conflict(t, name);
    }
    return JSON.parse(entry.json) as KubeObject;
  }

  /** Prunes and validates against the schema; unknown fields are answered before field errors. */
  #validate(t: ResourceType, obj: KubeObject, options: WriteOptions): void {
    if (!t.schema) return;
    const { causes, unknownFields } = applySchema(t.schema, obj);
    answerUnknownFields(t, unknownFields, options);
    if (causes.length > 0) throw invalid(t, obj.metadata.name, causes);
  }

  #write(t: ResourceType, current: KubeObject, next: KubeObject, options: WriteOptions): KubeObject {
    this.#validate(t, next, options);
    const key = objectKey(t, current.metadata.namespace, current.metadata.name);
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    const withStatus = t.statusSubresource === true;
    if (!isDeepStrictEqual(generationSubject(next, withStatus), generationSubject(current, withStatus))) {
      next.metadata.generation = (current.metadata.generation ?? 0) + 1;
    }
    if (isDeepStrictEqual(next, current)) return current; // a no-op write changes nothing
    if (options.dryRun) return next;
    const finalizers = next.metadata.finalizers;
    const released = !Array.isArray(finalizers) || finalizers.length === 0;
    return this.#commit(t, key, next, next.metadata.deletionTimestamp && released ? 'DELETED' : 'MODIFIED');
  }

  #commit(t: ResourceType, key: string, obj: KubeObject, type: WatchEventType): KubeObject {
    // A listener's writes are nested commits: they join the outer transaction.
    if (!this.#persistence || this.#delivering) return this.#commitNow(t, key, obj, type);
    return this.#persistence.atomically(() => this.#commitNow(t, key, obj, type));
  }

  #commitNow(t: ResourceType, key: string, obj: KubeObject, type: WatchEventType): KubeObject {
    const bucket = this.#bucket(t);
    const previous = bucket.get(key);
    this.#rv += 1;
    obj.metadata.resourceVersion = String(this.#rv);
    const entry: StoredEntry = {
      json: JSON.stringify(obj),
      apiVersion: obj.apiVersion,
      namespace: obj.metadata.namespace,
      name: obj.metadata.name,
      labels: obj.metadata.labels,
      rv: this.#rv,
    };
    if (type === 'DELETED') bucket.delete(key);
    else bucket.set(key, entry);
    this.#persistence?.saved(storageKey(t), key, type === 'DELETED' ? undefined : entry, this.#rv);
    const event: HistoryEvent = { rv: this.#rv, type, storageKey: storageKey(t), entry, previous };
    this.#history.push(event);
    this.#deliver({ event, resource: t });
    return obj;
  }

  /** Writes made by listeners are delivered after the current event, so everyone sees rv order. */
  #deliver(delivery: Delivery): void {
    this.#pending.push(delivery);
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      for (let next = this.#pending.shift(); next; next = this.#pending.shift()) this.#notify(next);
    } finally {
      this.#delivering = false;
    }
  }

  #notify({ event, resource }: Delivery): void {
    for (const watcher of this.#watchers) {
      const seen = eventForFilter(watcher.filter, event);
      if (seen) watcher.onEvent(seen.type, jsonAs(seen.entry, watcher.apiVersion));
    }
    for (const [listener, only] of this.#listeners) {
      if (only && storageKey(only) !== event.storageKey) continue;
      try {
        listener({ type: event.type, resource, object: JSON.parse(event.entry.json) as KubeObject });
      } catch (error) {
        // A failing controller must not fail the client's write that woke it.
        console.error(`[sim ${this.name}] store listener failed:`, error);
      }
    }
  }
}
