import type { WaitToWake, Waker } from '#shared/ports.ts';

/**
 * Records the waits a stage asks to be woken on and the jobs whose watch it ends; `room` says
 * whether it would watch another.
 */
export class RecordingWaker implements Waker {
  readonly wakes: WaitToWake[] = [];
  readonly releases: string[] = [];
  room = true;

  canWatch(): boolean {
    return this.room;
  }

  wake(wait: WaitToWake): void {
    this.wakes.push(structuredClone(wait));
  }

  release(jobId: string): void {
    this.releases.push(jobId);
  }
}
