import type { JobEvent } from '#domain/job-event.ts';
import type { Notifier } from '#shared/ports.ts';

/** Records every emitted event, in order. */
export class RecordingNotifier implements Notifier {
  readonly events: JobEvent[] = [];
  private failures: Error[] = [];

  async emit(event: JobEvent): Promise<void> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.events.push(structuredClone(event));
  }

  /** The next emit throws `error` (once). */
  failNext(error: Error): void {
    this.failures.push(error);
  }

  typesFor(jobId: string): string[] {
    return this.events.filter((event) => event.data.jobId === jobId).map((event) => event.type);
  }
}
