/**
 * Predicting when waves start and end, for a rehearsal and for a running batch's ETA. Each wave
 * starts when the one before it has completed (its jobs ended and its bake passed; the re-check
 * is taken as instant) and its window is open; its jobs take the free slots of `maxConcurrency`
 * in order, each starting only while the window is open, running on past its close. A wave
 * that needs approval is predicted as if approved the moment it could start: it "waits for
 * approval", and every later time counts from that moment.
 */

import { nextOpening } from './maintenance-window.ts';
import type { MaintenanceWindow } from './maintenance-window-schema.ts';

export interface TimelineJob {
  name: string;
  seconds: number;
  /** Set for a job already running: it ends `seconds` after this, and holds a slot until then. */
  startedAt?: Date;
}

export interface TimelineWave {
  index: number;
  label: string;
  maxConcurrency: number;
  waitsForApproval: boolean;
  jobs: TimelineJob[];
  /** Set for a wave already started. */
  startedAt?: Date;
}

export interface TimelineOptions {
  /** When the first wave may start (now, or the end of a bake in progress). */
  start: Date;
  bakeSeconds: number;
  window?: MaintenanceWindow;
}

export interface PredictedJob {
  name: string;
  startsAt: Date;
  endsAt: Date;
}

export interface PredictedWave {
  index: number;
  label: string;
  waitsForApproval: boolean;
  startsAt: Date;
  jobsDoneAt: Date;
  /** Jobs done and bake over: the wave's ETA. */
  completesAt: Date;
  jobs: PredictedJob[];
}

export interface Timeline {
  waves: PredictedWave[];
  completesAt: Date;
}

const later = (a: Date, b: Date) => (a > b ? a : b);
const plusSeconds = (at: Date, seconds: number) => new Date(at.getTime() + seconds * 1000);

function openFrom(at: Date, window: MaintenanceWindow | undefined): Date {
  return window ? nextOpening(window, at) : at;
}

function predictWave(wave: TimelineWave, ready: Date, options: TimelineOptions): PredictedWave {
  const startsAt = wave.startedAt ?? openFrom(ready, options.window);
  const slots = Array.from({ length: Math.max(1, wave.maxConcurrency) }, () => startsAt);
  const jobs: PredictedJob[] = [];
  const running = wave.jobs.filter((job) => job.startedAt);
  const waiting = wave.jobs.filter((job) => !job.startedAt);
  for (const job of running) {
    const start = job.startedAt ?? startsAt;
    const endsAt = later(ready, plusSeconds(start, job.seconds));
    slots.sort((a, b) => a.getTime() - b.getTime());
    slots[0] = endsAt;
    jobs.push({ name: job.name, startsAt: start, endsAt });
  }
  for (const job of waiting) {
    slots.sort((a, b) => a.getTime() - b.getTime());
    const free = later(slots[0] ?? startsAt, startsAt);
    const start = openFrom(later(free, ready), options.window);
    const endsAt = plusSeconds(start, job.seconds);
    slots[0] = endsAt;
    jobs.push({ name: job.name, startsAt: start, endsAt });
  }
  const jobsDoneAt = jobs.reduce((latest, job) => later(latest, job.endsAt), startsAt);
  return {
    index: wave.index,
    label: wave.label,
    waitsForApproval: wave.waitsForApproval,
    startsAt,
    jobsDoneAt,
    completesAt: plusSeconds(jobsDoneAt, options.bakeSeconds),
    jobs,
  };
}

export function predictTimeline(waves: readonly TimelineWave[], options: TimelineOptions): Timeline {
  let ready = options.start;
  const predicted = waves.map((wave) => {
    const prediction = predictWave(wave, ready, options);
    ready = prediction.completesAt;
    return prediction;
  });
  return { waves: predicted, completesAt: ready };
}
