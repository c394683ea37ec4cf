import { describe, expect, it } from 'vitest';
import { EXIT_CODES, exitCodeForBatch } from '#cli/exit-codes.ts';
import { boardLines, CLUSTER_MARKS, RolloutBoard } from '#cli/rollout-board.ts';
import { CLUSTER_STATES } from '#domain/rollout/batch.ts';
import { batchView } from '#domain/rollout/batch-view.ts';
import { fleetOf } from '#test/domain/rollout/support/fleet.ts';
import { type Outcome, RolloutWorld } from '#test/domain/rollout/support/rollout-world.ts';

const fleet = fleetOf(6);
const options = { jobEstimateSeconds: 600 };

function world(scripts: Record<string, Outcome[]> = {}, maxFailed = 1) {
  return new RolloutWorld({
    fleet,
    request: {
      clusters: fleet.map((c) => c.name),
      strategy: { canary: 1, maxConcurrency: 2, bakeSeconds: 300, failureBudget: { maxFailed } },
    },
    scripts,
  });
}

class Recorder {
  text = '';
  isTTY: boolean;
  columns?: number;
  constructor(isTTY: boolean, columns?: number) {
    this.isTTY = isTTY;
    if (columns) this.columns = columns;
  }
  write(chunk: string) {
    this.text += chunk;
  }
}

describe('the rollout board', () => {
  it('gives every cluster state a mark of its own shape', () => {
    // Assess: no two states an operator must tell apart share a mark (starting/started are one: running)
    const marks = CLUSTER_STATES.filter((s) => s !== 'starting').map((s) => CLUSTER_MARKS[s].mark);
    expect(new Set(marks).size).toBe(marks.length);
  });

  it('shows a row per wave, a cell per cluster, the counts and the reason of a blocked cluster', () => {
    // Prepare
    const rollout = world({ c02: ['block'] });
    const done = rollout.run();
    // Act
    const lines = boardLines(batchView(done, rollout.now, options), rollout.now.getTime());
    // Assess
    expect(lines[0]).toMatch(
      /^rollout \S+ to \S+: completed-with-failures \| 5 succeeded, 1 blocked \| failures 0\/1/,
    );
    expect(lines.filter((line) => /^(canary|wave \d)/.test(line))).toEqual([
      expect.stringMatching(/^canary\s+completed\s+#$/),
      expect.stringMatching(/^wave 2\s+completed\s+[#b]{5}$/),
    ]);
    expect(lines).toContain('  c02 blocked: scripted block');
  });

  it('wraps the cells of a wave wider than the terminal', () => {
    // Prepare: 29 clusters after the canary; "wave 2" + state take 25 columns, leaving 10 cells a row
    const wide = fleetOf(30);
    const rollout = new RolloutWorld({
      fleet: wide,
      request: { clusters: wide.map((c) => c.name), strategy: { canary: 1, maxConcurrency: 5 } },
    });
    const view = batchView(rollout.run(), rollout.now, options);
    // Act
    const lines = boardLines(view, rollout.now.getTime(), { columns: 35 });
    // Assess
    const wave = lines.findIndex((line) => line.startsWith('wave 2'));
    expect(
      lines.slice(wave, wave + 3).map((line) => line.trim().replace(/^wave 2\s+completed\s+/, '')),
    ).toEqual(['#'.repeat(10), '#'.repeat(10), '#'.repeat(9)]);
    expect(boardLines(view, 0, { columns: 200 }).length).toBe(lines.length - 2);
  });

  it('prints one line per change off a TTY, and nothing when nothing changed', () => {
    // Prepare
    const rollout = world();
    const out = new Recorder(false);
    const board = new RolloutBoard(out, 0);
    const first = rollout.decide().batch;
    // Act
    board.update(batchView(first, rollout.now, options), 1000);
    const once = out.text;
    board.update(batchView(first, rollout.now, options), 2000);
    // Assess
    expect(once).toMatch(/^\[ {2}1\.0s\] running: /m);
    expect(once).toMatch(/c00 starting/);
    expect(out.text).toBe(once);
  });

  it('redraws in place on a TTY', () => {
    // Prepare
    const rollout = world();
    const out = new Recorder(true, 80);
    const board = new RolloutBoard(out, 0);
    const view = batchView(rollout.decide().batch, rollout.now, options);
    // Act
    board.update(view, 0);
    board.update(view, 0);
    // Assess: the second drawing moves up over exactly the lines of the first
    const lines = boardLines(view, 0).length;
    expect(out.text).toContain(`\x1b[${lines}A`);
  });
});

describe('the exit code of a rollout', () => {
  const none = Object.fromEntries(CLUSTER_STATES.map((s) => [s, 0])) as Record<
    (typeof CLUSTER_STATES)[number],
    number
  >;
  it.each([
    ['succeeded', { succeeded: 3 }, EXIT_CODES.ok],
    ['completed-with-failures', { succeeded: 2, blocked: 1 }, EXIT_CODES.blocked],
    ['completed-with-failures', { succeeded: 1, blocked: 1, failed: 1 }, EXIT_CODES.failure],
    ['halted', { failed: 2, pending: 4 }, EXIT_CODES.failure],
    ['cancelled', { succeeded: 1, cancelled: 2 }, EXIT_CODES.failure],
    ['succeeded', { succeeded: 2, skipped: 1 }, EXIT_CODES.ok],
  ] as const)('%s with %o exits %d', (state, counts, code) => {
    expect(exitCodeForBatch(state, { ...none, ...counts })).toBe(code);
  });
});
