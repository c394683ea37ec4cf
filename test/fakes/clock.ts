import type { Clock } from '#shared/ports.ts';

/** A clock that moves only when told to. */
export class FakeClock implements Clock {
  private current: number;

  constructor(start: Date | string = '2026-03-01T12:00:00.000Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(seconds: number): Date {
    this.current += seconds * 1000;
    return this.now();
  }

  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }
}
