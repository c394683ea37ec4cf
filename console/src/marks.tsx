/**
 * States shown by shape AND colour (never colour alone): each state has a tone (the colour) and
 * a shape drawn as inline SVG (no font or image to fetch), plus its words for screen readers
 * and for the label beside it.
 */
import type { BatchState, ClusterRolloutState, ClusterStatus, JobState, Wave } from './api.ts';

export type Tone = 'ok' | 'run' | 'wait' | 'warn' | 'bad' | 'off';
export type Shape = 'check' | 'cross' | 'blocked' | 'half' | 'ring' | 'dash' | 'pause' | 'triangle' | 'query';

export interface MarkSpec {
  tone: Tone;
  shape: Shape;
  label: string;
}

const PATHS: Record<Shape, string> = {
  check: 'M3 8.5l3 3 7-7',
  cross: 'M4 4l8 8M12 4l-8 8',
  blocked: 'M8 2a6 6 0 1 0 0.01 0M3.8 3.8l8.4 8.4',
  half: 'M8 2a6 6 0 1 0 0.01 0M8 2v12',
  ring: 'M8 3a5 5 0 1 0 0.01 0',
  dash: 'M3 8h10',
  pause: 'M5.5 3v10M10.5 3v10',
  triangle: 'M8 2l6.5 11.5h-13zM8 6.5v3.5M8 11.5v0.5',
  query: 'M5.5 6a2.5 2.5 0 1 1 3.5 2.3c-.7.3-1 .8-1 1.5v.7M8 12.5v.5',
};

/** A filled half for `half`: running work reads as "partly done" at a glance. */
const FILL: Partial<Record<Shape, string>> = { half: 'M8 2a6 6 0 0 1 0 12z' };

export function Mark({ spec, hideLabel }: { spec: MarkSpec; hideLabel?: boolean }) {
  const fill = FILL[spec.shape];
  return (
    <span class={`mark tone-${spec.tone}`} data-shape={spec.shape}>
      <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
        {fill && <path d={fill} class="fill" />}
        <path d={PATHS[spec.shape]} />
      </svg>
      <span class={hideLabel ? 'visually-hidden' : 'mark-label'}>{spec.label}</span>
    </span>
  );
}

const running = (label: string): MarkSpec => ({ tone: 'run', shape: 'half', label });

export const JOB_MARKS: Record<JobState, MarkSpec> = {
  queued: { tone: 'wait', shape: 'ring', label: 'queued' },
  validating: running('validating'),
  'checking-backup': running('checking backup'),
  uploading: running('uploading'),
  patching: running('patching'),
  verifying: running('verifying'),
  succeeded: { tone: 'ok', shape: 'check', label: 'succeeded' },
  failed: { tone: 'bad', shape: 'cross', label: 'failed' },
  blocked: { tone: 'warn', shape: 'blocked', label: 'blocked' },
  cancelled: { tone: 'off', shape: 'dash', label: 'cancelled' },
};

export const HEALTH_MARKS: Record<ClusterStatus['health'], MarkSpec> = {
  healthy: { tone: 'ok', shape: 'check', label: 'healthy' },
  upgrading: running('upgrading'),
  unhealthy: { tone: 'warn', shape: 'triangle', label: 'unhealthy' },
  unreachable: { tone: 'bad', shape: 'query', label: 'unreachable' },
};

/** Where a cluster is in a rollout: `upgraded` waits for its re-check after the bake. */
export const ROLLOUT_CLUSTER_MARKS: Record<ClusterRolloutState, MarkSpec> = {
  pending: { tone: 'wait', shape: 'ring', label: 'pending' },
  starting: running('starting'),
  started: running('running'),
  'deferred-unreachable': { tone: 'warn', shape: 'query', label: 'deferred: unreachable' },
  upgraded: { tone: 'run', shape: 'check', label: 'upgraded, re-check pending' },
  succeeded: { tone: 'ok', shape: 'check', label: 'succeeded' },
  'recheck-failed': { tone: 'bad', shape: 'triangle', label: 're-check failed' },
  failed: { tone: 'bad', shape: 'cross', label: 'failed' },
  blocked: { tone: 'warn', shape: 'blocked', label: 'blocked' },
  cancelled: { tone: 'off', shape: 'dash', label: 'cancelled' },
  skipped: { tone: 'off', shape: 'dash', label: 'skipped' },
};

export const BATCH_MARKS: Record<BatchState, MarkSpec> = {
  running: running('running'),
  baking: running('baking'),
  'awaiting-approval': { tone: 'warn', shape: 'pause', label: 'awaiting approval' },
  'outside-window': { tone: 'wait', shape: 'pause', label: 'outside its window' },
  paused: { tone: 'wait', shape: 'pause', label: 'paused' },
  halted: { tone: 'bad', shape: 'cross', label: 'halted' },
  succeeded: { tone: 'ok', shape: 'check', label: 'succeeded' },
  'completed-with-failures': { tone: 'warn', shape: 'triangle', label: 'completed with failures' },
  cancelled: { tone: 'off', shape: 'dash', label: 'cancelled' },
};

export const WAVE_MARKS: Record<Wave['state'], MarkSpec> = {
  pending: { tone: 'wait', shape: 'ring', label: 'pending' },
  'awaiting-approval': { tone: 'warn', shape: 'pause', label: 'awaiting approval' },
  running: running('running'),
  baking: running('baking'),
  completed: { tone: 'ok', shape: 'check', label: 'completed' },
};
