import type { Metrics } from '#shared/ports.ts';

/** Records metric names, in order. */
export class RecordingMetrics implements Metrics {
  readonly counts: string[] = [];
  readonly timings: string[] = [];

  count(name: string): void {
    this.counts.push(name);
  }

  milliseconds(name: string): void {
    this.timings.push(name);
  }
}
