/**
 * How a job's progress reads on a terminal: its state, and for the pipeline states the hop it
 * is on ("uploading  hop 1/2 3.16.2>4.0.3"). A line is printed each time the state or the hop
 * changes; on a TTY the last line also keeps updating in place with what the stage waits for.
 */
import type { HopView, JobView } from '#shared/http/api-replies.ts';

const HOP_STATES = new Set(['uploading', 'patching', 'verifying']);

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** The whole path as the job planned it, e.g. "3.16.2>4.0.3>4.2.1" (the target alone before planning). */
export function hopPath(job: Pick<JobView, 'fromVersion' | 'plan' | 'targetVersion'>): string {
  if (!job.plan) return `?>${job.targetVersion}`;
  const from = job.fromVersion ?? job.plan[0]?.from ?? '?';
  return [from, ...job.plan.map((hop: HopView) => hop.to)].join('>');
}

/** "hop 1/2 3.16.2>4.0.3" while a hop is being worked on; empty before planning and after the end. */
export function hopLabel(job: Pick<JobView, 'state' | 'hop' | 'plan'>): string {
  const hop = job.plan?.[job.hop];
  if (!hop || !HOP_STATES.has(job.state)) return '';
  return `hop ${job.hop + 1}/${job.plan?.length} ${hop.from}>${hop.to}`;
}

/** What a line is keyed on: a new line when this changes. */
export function progressKey(job: Pick<JobView, 'state' | 'hop'>): string {
  return `${job.state}#${job.hop}`;
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** One progress line: elapsed time, state, hop, and the reason once the job has ended. */
export function progressLine(job: JobView, elapsedMs: number, detail = false): string {
  const parts = [`[${formatSeconds(elapsedMs).padStart(6)}]`, job.state.padEnd(15), hopLabel(job)];
  const note =
    job.reason && !HOP_STATES.has(job.state) && job.state !== 'validating'
      ? job.reason
      : detail
        ? job.waitingFor
        : undefined;
  if (note) parts.push(`- ${note}`);
  return parts.filter(Boolean).join(' ').trimEnd();
}

function clipToWidth(line: string, columns: number | undefined): string {
  return columns && line.length > columns ? `${line.slice(0, Math.max(0, columns - 1))}…` : line;
}

/** Prints one job's progress to a stream; call `update` with each fresh view, `finish` at the end. */
export class JobProgressPrinter {
  readonly #out: ProgressStream;
  readonly #startedAt: number;
  #key: string | undefined;
  #live = false;

  constructor(out: ProgressStream, startedAt = Date.now()) {
    this.#out = out;
    this.#startedAt = startedAt;
  }

  update(job: JobView, now = Date.now()): void {
    const key = progressKey(job);
    const elapsed = now - this.#startedAt;
    if (this.#out.isTTY) {
      // The previous state's line stays as history; the current one is redrawn with its detail.
      if (this.#live && key !== this.#key) this.#out.write('\n');
      this.#out.write(`\r\x1b[2K${clipToWidth(progressLine(job, elapsed, true), this.#out.columns)}`);
      this.#live = true;
    } else if (key !== this.#key) {
      this.#out.write(`${progressLine(job, elapsed)}\n`);
    }
    this.#key = key;
  }

  /** Ends a live TTY line so whatever follows starts on a fresh one. */
  finish(): void {
    if (this.#live) this.#out.write('\n');
    this.#live = false;
  }
}
