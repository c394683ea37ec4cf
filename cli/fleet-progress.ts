/**
 * Live progress of many jobs at once (the demo). On a TTY: a board with one row per cluster,
 * redrawn in place. Elsewhere (CI logs, pipes): one line per state or hop change.
 */

import { formatSeconds, hopLabel, type ProgressStream, progressKey } from '#cli/progress-view.ts';
import { isTerminal } from '#cli/wait-for-job.ts';
import type { JobView } from '#shared/http/api-replies.ts';

function row(job: JobView, width: number, detail: boolean): string {
  const note = isTerminal(job.state) ? job.reason : detail ? job.waitingFor : undefined;
  const parts = [job.cluster.padEnd(width), job.state.padEnd(15), hopLabel(job).padEnd(24)];
  if (note && job.state !== 'succeeded') parts.push(`- ${note}`);
  return parts.join(' ').trimEnd();
}

function counts(jobs: JobView[]): string {
  const byState = new Map<string, number>();
  for (const job of jobs) byState.set(job.state, (byState.get(job.state) ?? 0) + 1);
  return [...byState].map(([state, n]) => `${n} ${state}`).join(', ');
}

export class FleetProgress {
  readonly #out: ProgressStream;
  readonly #startedAt: number;
  readonly #keys = new Map<string, string>();
  #drawn = 0;

  constructor(out: ProgressStream, startedAt = Date.now()) {
    this.#out = out;
    this.#startedAt = startedAt;
  }

  update(jobs: JobView[], now = Date.now()): void {
    const width = Math.max(0, ...jobs.map((job) => job.cluster.length));
    if (this.#out.isTTY) {
      this.#redraw(jobs, width, now);
      return;
    }
    for (const job of jobs) {
      const key = progressKey(job);
      if (this.#keys.get(job.id) === key) continue;
      this.#keys.set(job.id, key);
      this.#out.write(`[${formatSeconds(now - this.#startedAt).padStart(6)}] ${row(job, width, false)}\n`);
    }
  }

  #redraw(jobs: JobView[], width: number, now: number): void {
    // A pseudo-terminal may report 0 columns: then do not cut at all.
    const columns = this.#out.columns || Number.POSITIVE_INFINITY;
    const clipToWidth = (line: string) => (line.length > columns ? `${line.slice(0, columns - 1)}…` : line);
    const lines = [
      `[${formatSeconds(now - this.#startedAt).padStart(6)}] ${counts(jobs)}`,
      ...jobs.map((job) => row(job, width, true)),
    ].map(clipToWidth);
    const up = this.#drawn > 0 ? `\x1b[${this.#drawn}A` : '';
    this.#out.write(`${up}${lines.map((line) => `\r\x1b[2K${line}\n`).join('')}`);
    this.#drawn = lines.length;
  }
}
