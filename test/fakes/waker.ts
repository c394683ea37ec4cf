import type { WaitToWake, Waker } from '#shared/ports.ts';

/** Records the waits a stage asks to be woken on; `room` says whether it would watch another. */
export class RecordingWaker implements Waker {
  readonly wakes: WaitToWake[] = [];
  room = true;

  canWatch(): boolean {
    return this.room;
  }

  wake(wait: WaitToWake): void {
    this.wakes.push(structuredClone(wait));
  }
}
