/**
 * Simulated time: every delay in the simulator is given in simulated milliseconds and runs
 * `speed` times faster in real time, so a test can run a "15 minute" catalog sync in milliseconds.
 * Timestamps written into objects stay real wall time (clients compare them with their own clock).
 */
export class SimClock {
  readonly speed: number;
  readonly #timers = new Set<NodeJS.Timeout>();
  #stopped = false;

  /** speed 60 = one simulated minute per real second. */
  constructor(speed: number) {
    if (!Number.isFinite(speed) || speed <= 0) throw new RangeError(`clock speed must be > 0, got ${speed}`);
    this.speed = speed;
  }

  now(): Date {
    return new Date();
  }

  /** Real milliseconds a simulated duration takes at this speed. */
  realMs(simMs: number): number {
    return Math.max(0, simMs) / this.speed;
  }

  /** Runs fn once after simMs simulated milliseconds; a stopped clock schedules nothing. */
  after(simMs: number, fn: () => void): void {
    if (this.#stopped) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, this.realMs(simMs));
    this.#timers.add(timer);
  }

  /** Timers still waiting to fire (a quiescent simulation has none). */
  get pending(): number {
    return this.#timers.size;
  }

  /** Cancels every pending timer and refuses new ones, for a clean shutdown. */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
