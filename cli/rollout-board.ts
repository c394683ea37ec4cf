/**
 * How a rollout reads on a terminal (`rollout --wait`, `rollout status`). On a TTY: a board
 * redrawn in place, one row per wave and one cell per cluster, each cell a mark that differs by
 * shape as well as colour (a colour-blind operator, a log without colour), the counts, the
 * failure budget, the ETA, and the reason of every blocked, failed or deferred cluster.
 * Elsewhere (CI logs, pipes): one line per change of the batch, a wave or a cluster.
 */
import { styleText } from 'node:util';
import { formatSeconds, type ProgressStream } from '#cli/progress-view.ts';
import type { ClusterRolloutState } from '#domain/rollout/batch.ts';
import type { BatchViewReply } from '#shared/http/batch-replies.ts';

type Colour = Parameters<typeof styleText>[0];

/** Every cluster state's mark and colour; the compiler holds the table to the list of states. */
export const CLUSTER_MARKS: Record<ClusterRolloutState, { mark: string; colour: Colour }> = {
  pending: { mark: '·', colour: 'gray' },
  starting: { mark: '>', colour: 'cyan' },
  started: { mark: '>', colour: 'cyan' },
  'deferred-unreachable': { mark: '~', colour: 'yellow' },
  upgraded: { mark: '+', colour: 'green' },
  succeeded: { mark: '#', colour: 'green' },
  'recheck-failed': { mark: '!', colour: 'red' },
  failed: { mark: 'x', colour: 'red' },
  blocked: { mark: 'b', colour: 'yellow' },
  cancelled: { mark: '-', colour: 'gray' },
  skipped: { mark: 's', colour: 'gray' },
};

/** The states whose reason the board lists under the waves. */
const EXPLAINED = new Set<ClusterRolloutState>([
  'failed',
  'recheck-failed',
  'blocked',
  'deferred-unreachable',
]);

/** What the board reads of a batch: the contract's batch view (`GET /batches/{id}`). */
export type BoardView = Pick<
  BatchViewReply,
  'id' | 'name' | 'targetVersion' | 'state' | 'reason' | 'counts' | 'failures' | 'eta' | 'waves'
>;
type WaveRow = BoardView['waves'][number];
type ClusterCell = WaveRow['clusters'][number];

function untilText(at: string | undefined, now: number): string | undefined {
  if (!at) return undefined;
  const ms = Date.parse(at) - now;
  return ms > 0 ? `in ${formatSeconds(ms)}` : undefined;
}

function countsText(view: BoardView): string {
  return Object.entries(view.counts)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
}

export function headerLine(view: BoardView, now: number): string {
  const eta = untilText(view.eta, now);
  const parts = [
    `rollout ${view.name ?? view.id} to ${view.targetVersion}: ${view.state}`,
    countsText(view),
    `failures ${view.failures.counted}/${view.failures.tolerated} tolerated`,
    ...(eta ? [`ETA ${eta}`] : []),
  ];
  return parts.join(' | ');
}

function cell(cluster: ClusterCell, colour: boolean): string {
  const { mark, colour: hue } = CLUSTER_MARKS[cluster.state];
  return colour ? styleText(hue, mark) : mark;
}

/**
 * A wave's row: label, state, its cells and what it waits for. Cells wrap under the first one
 * where the terminal is narrower than the wave, so a redraw always knows how many lines it drew.
 */
export function waveLines(
  wave: WaveRow,
  width: number,
  now: number,
  options: { colour?: boolean; columns?: number } = {},
): string[] {
  const bake = wave.state === 'baking' ? untilText(wave.bakeUntil, now) : undefined;
  const eta = wave.state !== 'completed' ? untilText(wave.eta, now) : undefined;
  const note = bake ? `bake ends ${bake}` : eta ? `ETA ${eta}` : '';
  const prefix = `${wave.label.padEnd(width)} ${wave.state.padEnd(17)} `;
  const perLine = Math.max(10, (options.columns ?? Number.POSITIVE_INFINITY) - prefix.length);
  const cells = wave.clusters.map((cluster) => cell(cluster, options.colour ?? false));
  const rows: string[] = [];
  for (let at = 0; at < cells.length || at === 0; at += perLine) {
    rows.push(`${at === 0 ? prefix : ' '.repeat(prefix.length)}${cells.slice(at, at + perLine).join('')}`);
  }
  rows[0] = `${rows[0]} ${note}`.trimEnd();
  return rows;
}

/** "c-07 failed (hop 1/2: 3.16.2 -> 4.0.3): the reason", for the clusters whose state needs one. */
export function reasonLines(view: BoardView): string[] {
  return view.waves.flatMap((wave) =>
    wave.clusters
      .filter((cluster) => EXPLAINED.has(cluster.state))
      .map((cluster) => {
        const hop = cluster.hop ? ` (${cluster.hop})` : '';
        return `  ${cluster.name} ${cluster.state}${hop}: ${cluster.reason ?? 'no reason recorded'}`;
      }),
  );
}

export function legendLine(): string {
  return `legend: ${Object.entries(CLUSTER_MARKS)
    .filter(([state]) => state !== 'starting')
    .map(([state, { mark }]) => `${mark} ${state}`)
    .join('  ')}`;
}

/** The whole board, uncoloured unless asked: what `rollout status` prints and the TTY redraws. */
export function boardLines(
  view: BoardView,
  now: number,
  options: { colour?: boolean; columns?: number } = {},
): string[] {
  const width = Math.max(0, ...view.waves.map((wave) => wave.label.length));
  const reasons = reasonLines(view);
  return [
    headerLine(view, now),
    `  ${view.reason}`,
    ...view.waves.flatMap((wave) => waveLines(wave, width, now, options)),
    ...(reasons.length > 0 ? ['reasons:', ...reasons] : []),
    legendLine(),
  ];
}

/** Keys whose change prints a line off a TTY. */
function changes(view: BoardView): Map<string, string> {
  const keys = new Map<string, string>([['batch', `${view.state}: ${view.reason}`]]);
  for (const wave of view.waves) {
    keys.set(`wave ${wave.index}`, `${wave.label} ${wave.state}`);
    for (const cluster of wave.clusters) {
      const hop = cluster.hop ? ` ${cluster.hop}` : '';
      const why = EXPLAINED.has(cluster.state) && cluster.reason ? ` - ${cluster.reason}` : '';
      keys.set(`cluster ${cluster.name}`, `${cluster.name} ${cluster.state}${hop}${why}`);
    }
  }
  return keys;
}

/** Prints a rollout's progress: call `update` with each fresh view. */
export class RolloutBoard {
  readonly #out: ProgressStream;
  readonly #startedAt: number;
  readonly #seen = new Map<string, string>();
  #drawn = 0;

  constructor(out: ProgressStream, startedAt = Date.now()) {
    this.#out = out;
    this.#startedAt = startedAt;
  }

  update(view: BoardView, now = Date.now()): void {
    if (this.#out.isTTY) {
      this.#redraw(
        boardLines(view, now, { colour: true, ...(this.#out.columns ? { columns: this.#out.columns } : {}) }),
      );
      return;
    }
    const stamp = `[${formatSeconds(now - this.#startedAt).padStart(6)}]`;
    for (const [key, text] of changes(view)) {
      if (this.#seen.get(key) === text) continue;
      this.#seen.set(key, text);
      this.#out.write(`${stamp} ${text}\n`);
    }
  }

  #redraw(lines: string[]): void {
    const up = this.#drawn > 0 ? `\x1b[${this.#drawn}A` : '';
    this.#out.write(`${up}${lines.map((line) => `\r\x1b[2K${line}\n`).join('')}`);
    this.#drawn = lines.length;
  }
}
