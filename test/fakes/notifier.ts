import type { JobEvent } from '#domain/job-event.ts';
import type { JobEventContext, Notifier } from '#shared/ports.ts';

/**
 * Records every emitted event, in order, then hands it to the notifier it wraps (if any); one
 * recorder may also watch other notifiers (`around`), so a pipeline's events are one list.
 */
export class RecordingNotifier implements Notifier {
  readonly events: JobEvent[] = [];
  private failures: Error[] = [];
  private readonly inner: Notifier | undefined;

  constructor(inner?: Notifier) {
    this.inner = inner;
  }

  async emit(event: JobEvent, job: JobEventContext = {}): Promise<void> {
    this.record(event);
    await this.inner?.emit(event, job);
  }

  /** `notifier`, its events recorded here first. */
  around(notifier: Notifier): Notifier {
    return {
      emit: async (event, job) => {
        this.record(event);
        await notifier.emit(event, job);
      },
    };
  }

  /** The next emit throws `error` (once), before anything is recorded or sent. */
  failNext(error: Error): void {
    this.failures.push(error);
  }

  typesFor(jobId: string): string[] {
    return this.events.filter((event) => event.data.jobId === jobId).map((event) => event.type);
  }

  private record(event: JobEvent): void {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.events.push(structuredClone(event));
  }
}
