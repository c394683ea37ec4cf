/**
 * What every simulated controller shares: the cluster's store, the clock, the spec, the bundles
 * its catalog can index, and a work queue. Store events only enqueue keyed reconciles; the queue drains in a microtask, so a client's
 * write never waits for a controller, bursts of events for one object reconcile once, and the order
 * (FIFO by first enqueue) is the same on every run.
 */

import type { SimClock } from '#sim/clock.ts';
import type { ClusterSpec } from '#sim/cluster-spec.ts';
import type { BundleLookup } from '#sim/controllers/bundle-registry.ts';
import type { ClusterStore, StoreEvent } from '#sim/store/cluster-store.ts';
import { kubeTimestamp } from '#sim/store/object-meta.ts';

/** A reconcile that keeps re-enqueueing itself this often in one drain is a controller bug. */
const MAX_RECONCILES_PER_DRAIN = 10_000;

export interface Controller {
  /** Called for every store event, inside the store's delivery: may read and enqueue, never write. */
  onEvent(event: StoreEvent): void;
  /** Enqueues everything already in the store (objects seeded before the controllers started). */
  resync(): void;
}

export interface ControllerContext {
  readonly store: ClusterStore;
  readonly clock: SimClock;
  readonly spec: ClusterSpec;
  /** The platform registry's bundles as this cluster's catalog reads them. */
  readonly bundles: BundleLookup;
  /** Runs fn soon, once per key until it has run. */
  enqueue(key: string, fn: () => void): void;
  /** Runs fn after simMs simulated ms unless the controllers were stopped meanwhile. */
  after(simMs: number, fn: () => void): void;
  /** Wall-clock timestamp as the apiserver writes it. */
  now(): string;
  readonly stopped: boolean;
}

export type ErrorReporter = (error: unknown, what: string) => void;

export class ControllerRuntime implements ControllerContext {
  readonly store: ClusterStore;
  readonly clock: SimClock;
  readonly spec: ClusterSpec;
  readonly bundles: BundleLookup;
  readonly #queue = new Map<string, () => void>();
  readonly #report: ErrorReporter;
  #draining = false;
  #stopped = false;

  constructor(
    store: ClusterStore,
    clock: SimClock,
    spec: ClusterSpec,
    bundles: BundleLookup,
    report: ErrorReporter,
  ) {
    this.store = store;
    this.clock = clock;
    this.spec = spec;
    this.bundles = bundles;
    this.#report = report;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  now(): string {
    return kubeTimestamp(this.clock.now());
  }

  enqueue(key: string, fn: () => void): void {
    if (this.#stopped || this.#queue.has(key)) return;
    this.#queue.set(key, fn);
    if (!this.#draining) {
      this.#draining = true;
      queueMicrotask(() => this.#drain());
    }
  }

  after(simMs: number, fn: () => void): void {
    this.clock.after(simMs, () => {
      if (this.#stopped) return;
      try {
        fn();
      } catch (error) {
        this.#report(error, 'timer');
      }
    });
  }

  stop(): void {
    this.#stopped = true;
    this.#queue.clear();
  }

  #drain(): void {
    let runs = 0;
    try {
      for (const [key, fn] of this.#queue) {
        this.#queue.delete(key);
        if (this.#stopped) return;
        if (++runs > MAX_RECONCILES_PER_DRAIN) {
          this.#report(new Error(`reconcile loop: ${key} and ${this.#queue.size} more`), key);
          this.#queue.clear();
          return;
        }
        try {
          fn();
        } catch (error) {
          this.#report(error, key);
        }
      }
    } finally {
      this.#draining = false;
    }
  }
}
