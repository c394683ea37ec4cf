/**
 * Pushes that can go as one: members with the same key (one platform, one package file) that
 * arrive within a short gathering window, or while a push of that key is running, go together in
 * the key's next run, up to `maxMembers` per run. At most one run per key at a time, so a burst
 * of arrivals costs a run per window instead of a run per member. Every member learns its run's
 * outcome. A lone member waits `gatherMs` at most; a run in progress is never joined late (it has
 * already named its members). A member may be refused when its run starts (`refuse`: it has too
 * little time left after waiting for the run before): it learns the refusal and the run goes
 * without it.
 */

export interface PushGroupOptions {
  /** How long the first member of a run waits for others. */
  gatherMs: number;
  maxMembers: number;
}

interface Pending<M> {
  member: M;
  settle: (error?: unknown) => void;
}

interface KeyState<M> {
  waiting: Pending<M>[];
  running: boolean;
  timer: NodeJS.Timeout | undefined;
}

export class PushGroups<M> {
  readonly #keys = new Map<string, KeyState<M>>();
  readonly #run: (key: string, members: M[]) => Promise<void>;
  readonly #options: PushGroupOptions;
  readonly #refuse: (member: M) => Error | undefined;

  constructor(
    run: (key: string, members: M[]) => Promise<void>,
    options: PushGroupOptions,
    refuse: (member: M) => Error | undefined = () => undefined,
  ) {
    this.#run = run;
    this.#options = options;
    this.#refuse = refuse;
  }

  /** Resolves when the run that carried `member` succeeded; rejects with that run's error. */
  join(key: string, member: M): Promise<void> {
    let state = this.#keys.get(key);
    if (!state) {
      state = { waiting: [], running: false, timer: undefined };
      this.#keys.set(key, state);
    }
    const joined = new Promise<void>((resolve, reject) => {
      (state as KeyState<M>).waiting.push({
        member,
        settle: (error) => (error === undefined ? resolve() : reject(error)),
      });
    });
    this.#schedule(key, state);
    return joined;
  }

  #schedule(key: string, state: KeyState<M>): void {
    if (state.running || state.waiting.length === 0) return;
    if (state.waiting.length >= this.#options.maxMembers) {
      clearTimeout(state.timer);
      state.timer = undefined;
      void this.#start(key, state);
      return;
    }
    state.timer ??= setTimeout(() => {
      state.timer = undefined;
      void this.#start(key, state);
    }, this.#options.gatherMs);
  }

  async #start(key: string, state: KeyState<M>): Promise<void> {
    if (state.running) return;
    const batch = this.#admitted(state);
    if (batch.length === 0) {
      if (!state.timer) this.#keys.delete(key);
      return;
    }
    state.running = true;
    let failure: unknown;
    try {
      await this.#run(
        key,
        batch.map((pending) => pending.member),
      );
    } catch (error) {
      failure = error ?? new Error('push failed');
    } finally {
      state.running = false;
    }
    for (const pending of batch) pending.settle(failure);
    // Whoever arrived during the run goes next, at once: they have waited a run already.
    if (state.waiting.length > 0) void this.#start(key, state);
    else if (!state.timer) this.#keys.delete(key);
  }

  /** The next run's members, first come first; the refused ones are settled with their refusal. */
  #admitted(state: KeyState<M>): Pending<M>[] {
    const batch: Pending<M>[] = [];
    while (batch.length < this.#options.maxMembers) {
      const pending = state.waiting.shift();
      if (!pending) break;
      const refusal = this.#refuse(pending.member);
      if (refusal) pending.settle(refusal);
      else batch.push(pending);
    }
    return batch;
  }
}
