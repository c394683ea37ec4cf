/**
 * `npm run chaos`: three runs of the same fleet, same seed, same Kubernetes API faults:
 *   baseline  no kills, no outage
 *   kills     serve SIGKILLed N times at seeded random moments and started again
 *   outage    the first platform down (refused connections, then 503s) in the middle of the run
 * and the verdict the hardening issue asks for: every job ended, none lost, no duplicate upload or
 * approval, every cluster on its target; the killed run within 1.5x the baseline's wall time
 * plus two visibility timeouts; the outage failing no job. Writes bench/results/chaos.json.
 *
 *   npm run chaos -- --clusters 100 --kills 5 --outage 20 --seed 7
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type ChaosOptions, type ChaosReport, runChaos } from './support/chaos-run.ts';
import { endChildrenOnSignal } from './support/child-processes.ts';

endChildrenOnSignal();

const { values } = parseArgs({
  options: {
    clusters: { type: 'string', default: '100' },
    kills: { type: 'string', default: '5' },
    outage: { type: 'string', default: '20' },
    seed: { type: 'string', default: '7' },
    visibility: { type: 'string', default: '10' },
    speed: { type: 'string', default: '600' },
    keep: { type: 'string' },
  },
});

function whole(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`--${name} must be a number of 0 or more, got ${text}`);
    process.exit(2);
  }
  return n;
}

const clusters = whole('clusters', values.clusters);
const kills = whole('kills', values.kills);
const outageSeconds = whole('outage', values.outage);
const visibility = whole('visibility', values.visibility);
const base: ChaosOptions = {
  clusters,
  seed: whole('seed', values.seed),
  kills: 0,
  killWindowSeconds: 0,
  visibilityTimeoutSeconds: visibility,
  speed: whole('speed', values.speed),
  timeoutSeconds: 900,
};
const keep = (run: string) => (values.keep ? { keepDir: resolve(values.keep, run) } : {});

function line(name: string, report: ChaosReport, ratio?: number): string {
  const states = Object.entries(report.states)
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
  return [
    name.padEnd(9),
    `${report.wallSeconds.toFixed(1)} s`.padStart(8),
    ratio === undefined ? '       ' : `${ratio.toFixed(2)}x`.padStart(7),
    `  ${states}; lost ${report.lost.length}, duplicate uploads ${report.duplicateUploads.length},`,
    `duplicate approvals ${report.duplicateApprovals.length}, off-plan ${report.wrongVersion.length}`,
  ].join(' ');
}

function clean(report: ChaosReport): string[] {
  return [
    ...report.lost.map((cluster) => `lost or unfinished: ${cluster}`),
    ...report.duplicateUploads,
    ...report.duplicateApprovals,
    ...report.wrongVersion.map((what) => `off plan: ${what}`),
    ...report.unsuccessful.map((job) => `${job.cluster} ${job.state}: ${job.reason ?? ''}`),
  ];
}

const load = loadavg().map((n) => n.toFixed(2));
console.log(`chaos: ${clusters} clusters, 3.16.2 > 4.0.3 > 4.1.2, API faults on, load ${load.join(' ')}`);
const baseline = await runChaos({ ...base, ...keep('baseline') });
console.log(line('baseline', baseline));
// Kills fall within the first 80% of the baseline's wall time, where jobs are in flight.
const killed = await runChaos({ ...base, kills, killWindowSeconds: baseline.wallSeconds, ...keep('kills') });
const killRatio = killed.wallSeconds / baseline.wallSeconds;
console.log(line('kills', killed, killRatio));
const outage = await runChaos({
  ...base,
  outage: { atSeconds: baseline.wallSeconds / 3, seconds: outageSeconds, mode: 'mixed' },
  ...keep('outage'),
});
console.log(line('outage', outage, outage.wallSeconds / baseline.wallSeconds));

const bound = 1.5 * baseline.wallSeconds + 2 * visibility;
const problems = [
  ...clean(baseline).map((what) => `baseline: ${what}`),
  ...clean(killed).map((what) => `kills: ${what}`),
  ...clean(outage).map((what) => `outage: ${what}`),
  ...(killed.wallSeconds <= bound
    ? []
    : [
        `kills: ${killed.wallSeconds.toFixed(1)} s is over 1.5 x baseline + 2 visibility timeouts (${bound.toFixed(1)} s)`,
      ]),
];
const results = {
  clusters,
  seed: base.seed,
  visibilityTimeoutSeconds: visibility,
  loadAverage: { before: load, after: loadavg().map((n) => n.toFixed(2)) },
  killBoundSeconds: bound,
  baseline,
  kills: killed,
  outage,
  problems,
};
const out = resolve(import.meta.dirname, '../../bench/results');
await mkdir(out, { recursive: true });
await writeFile(resolve(out, 'chaos.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`kills bound: ${bound.toFixed(1)} s (1.5 x baseline + 2 x ${visibility} s visibility timeout)`);
console.log(`load after: ${results.loadAverage.after.join(' ')}; bench/results/chaos.json written`);
if (problems.length > 0) {
  console.log(`\n${problems.length} problem(s):\n${problems.join('\n')}`);
  process.exit(1);
}
console.log('verdict: every job ended where its plan said, nothing lost, nothing pushed or approved twice');
