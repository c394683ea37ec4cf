/** How `upgrade --wait` and the demo draw progress, on a terminal and in a log. */
import { describe, expect, it } from 'vitest';
import { hopPath, JobProgressPrinter } from '#cli/progress-view.ts';
import type { HopView, JobView } from '#shared/http/api-replies.ts';

const PLAN: HopView[] = [
  { from: '3.16.2', to: '4.0.3', kind: 'major', csv: 'redis-operator.v4.0.3', channel: 'stable' },
  { from: '4.0.3', to: '4.1.2', kind: 'minor', csv: 'redis-operator.v4.1.2', channel: 'stable' },
];

function job(state: JobView['state'], hop: number, extra: Partial<JobView> = {}): JobView {
  return {
    id: 'job-1',
    cluster: 'region1',
    state,
    targetVersion: '4.1.2',
    fromVersion: '3.16.2',
    hop,
    plan: PLAN,
    options: {},
    attempts: {},
    transitions: [],
    version: 1,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...extra,
  };
}

function stream(isTTY: boolean, columns?: number) {
  const chunks: string[] = [];
  return {
    chunks,
    text: () => chunks.join(''),
    write: (text: string) => chunks.push(text),
    isTTY,
    ...(columns ? { columns } : {}),
  };
}

describe('progress output', () => {
  it('prints one line per state or hop change in a log, nothing for repeated polls', () => {
    // Prepare
    const out = stream(false);
    const printer = new JobProgressPrinter(out, 0);

    // Act
    printer.update(job('validating', 0), 100);
    printer.update(job('uploading', 0), 1200);
    printer.update(job('uploading', 0, { waitingFor: 'ArtifactVersion not yet Success' }), 1300);
    printer.update(job('uploading', 1), 5000);
    printer.update(job('succeeded', 1, { reason: 'cluster runs 4.1.2' }), 9000);
    printer.finish();

    // Assess
    expect(out.text().split('\n')).toEqual([
      '[  0.1s] validating',
      '[  1.2s] uploading       hop 1/2 3.16.2>4.0.3',
      '[  5.0s] uploading       hop 2/2 4.0.3>4.1.2',
      '[  9.0s] succeeded       - cluster runs 4.1.2',
      '',
    ]);
  });

  it('on a terminal keeps redrawing the current line with what it waits for, clipped to the width', () => {
    // Prepare
    const out = stream(true, 60);
    const printer = new JobProgressPrinter(out, 0);

    // Act
    printer.update(
      job('patching', 0, { waitingFor: 'the catalog to offer redis-operator.v4.0.3 on channel stable' }),
      2000,
    );
    printer.update(job('patching', 0, { waitingFor: 'InstallPlan approval' }), 3000);
    printer.update(job('verifying', 0), 4000);
    printer.finish();

    // Assess
    expect(out.chunks).toEqual([
      '\r\x1b[2K[  2.0s] patching        hop 1/2 3.16.2>4.0.3 - the catalog…',
      '\r\x1b[2K[  3.0s] patching        hop 1/2 3.16.2>4.0.3 - InstallPlan…',
      '\n',
      '\r\x1b[2K[  4.0s] verifying       hop 1/2 3.16.2>4.0.3',
      '\n',
    ]);
  });

  it('writes the whole planned path, or the bare target before planning', () => {
    expect(hopPath(job('succeeded', 1))).toBe('3.16.2>4.0.3>4.1.2');
    expect(hopPath({ targetVersion: '4.1.2' })).toBe('?>4.1.2');
  });
});
