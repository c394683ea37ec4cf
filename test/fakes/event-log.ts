import type { JobEvent } from '#domain/job-event.ts';
import type { EventLog } from '#shared/ports.ts';

/** Events by id, as the real logs keep them: recording one again changes nothing. */
export class InMemoryEventLog implements EventLog {
  readonly byId = new Map<string, JobEvent>();

  async record(event: JobEvent): Promise<void> {
    if (!this.byId.has(event.id)) this.byId.set(event.id, structuredClone(event));
  }

  async forJob(jobId: string): Promise<JobEvent[]> {
    return [...this.byId.values()].filter((event) => event.data.jobId === jobId);
  }
}
