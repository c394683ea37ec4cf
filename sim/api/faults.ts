/** Per-cluster fault injection knobs (issue 3); every rate is a probability 0..1 per request. */
export interface FaultConfig {
  error500Rate?: number;
  /** 429 with `Retry-After: retryAfterSeconds` (default 1). */
  throttle429Rate?: number;
  retryAfterSeconds?: number;
  /** The server holds the request for timeoutMs (default 30000) and then drops the socket. */
  timeoutRate?: number;
  timeoutMs?: number;
  /** Share of writes (PUT/PATCH) answered 409 Conflict without being applied. */
  conflict409Rate?: number;
}

export type Fault =
  | { kind: 'error500' }
  | { kind: 'throttle429'; retryAfterSeconds: number }
  | { kind: 'timeout'; ms: number }
  | { kind: 'conflict409' };

/** mulberry32: tiny, fast, and good enough to make fault sequences reproducible from a seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * Decides, per request, which fault (if any) a cluster injects. Each cluster draws from its own
 * stream seeded by (seed, cluster name), so one cluster's sequence does not depend on traffic to others.
 */
export class FaultInjector {
  readonly #seed: number;
  readonly #streams = new Map<string, () => number>();

  constructor(seed: number) {
    this.#seed = seed;
  }

  pick(cluster: string, faults: FaultConfig | undefined, method: string): Fault | undefined {
    if (!faults) return undefined;
    const write = method === 'PUT' || method === 'PATCH';
    const rates = [
      faults.error500Rate,
      faults.throttle429Rate,
      faults.timeoutRate,
      write ? faults.conflict409Rate : 0,
    ];
    if (!rates.some((r) => (r ?? 0) > 0)) return undefined;
    const random = this.#stream(cluster);
    if (random() < (faults.timeoutRate ?? 0)) return { kind: 'timeout', ms: faults.timeoutMs ?? 30_000 };
    if (random() < (faults.error500Rate ?? 0)) return { kind: 'error500' };
    if (random() < (faults.throttle429Rate ?? 0)) {
      return { kind: 'throttle429', retryAfterSeconds: faults.retryAfterSeconds ?? 1 };
    }
    if (write && random() < (faults.conflict409Rate ?? 0)) return { kind: 'conflict409' };
    return undefined;
  }

  #stream(cluster: string): () => number {
    let stream = this.#streams.get(cluster);
    if (!stream) {
      stream = seededRandom(this.#seed ^ hash(cluster));
      this.#streams.set(cluster, stream);
    }
    return stream;
  }
}
