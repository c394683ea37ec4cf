/**
 * `npm run bench -- planner`: how planning scales with the catalog. For generated catalogs of
 * 1,000, 3,000 and 10,000 versions (bench/planner-catalog.ts), the median of several calls of:
 * a plan across five majors; a NO_PATH the diagnosis explains (relaxing each rule in turn); a
 * BLOCKED_VERSION that names the nearest alternative with a path. The baseline is the smallest
 * catalog in the same run: "per version vs baseline" stays near 1.00x while planning grows
 * linearly with the catalog (quadratic planning shows the size ratio itself, 3x and 10x).
 * Then the real CLI, `redis-upgrader plan` on the largest catalog file against the same command
 * on the example catalog (process start, reading and validating the file included).
 * Prints the machine's load before and after; writes bench/results/planner.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Catalog } from '#domain/catalog.ts';
import { PlanError } from '#domain/errors.ts';
import { planUpgrade } from '#domain/planner.ts';
import { median } from './median.ts';
import { generateCatalog, lastBlocked, NO_PATH_TARGET, newestRelease } from './planner-catalog.ts';

const SIZES = (process.env.BENCH_PLANNER_SIZES ?? '1000,3000,10000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_PLANNER_RUNS ?? 9);
const PLATFORM = '4.0.0';
const MAIN = resolve(import.meta.dirname, '../cli/main.ts');

/** Median milliseconds of `run`, after one warm-up call; `expect` checks the outcome each time. */
function time(run: () => string, expect: string): number {
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const started = performance.now();
    const outcome = run();
    const elapsed = performance.now() - started;
    if (outcome !== expect) throw new Error(`expected ${expect}, got ${outcome}`);
    if (i > 0) times.push(elapsed);
  }
  return median(times);
}

function outcome(catalog: Catalog, from: string, to: string): string {
  try {
    return `${planUpgrade(catalog, from, to, { platform: PLATFORM }).hops.length} hops`;
  } catch (error) {
    if (error instanceof PlanError) return error.code;
    throw error;
  }
}

function cliMs(args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const run = spawnSync(process.execPath, [MAIN, 'plan', ...args, '--json'], { encoding: 'utf8' });
    times.push(performance.now() - started);
    if (run.status !== 0)
      throw new Error(`redis-upgrader plan ${args.join(' ')}: ${run.stdout}${run.stderr}`);
  }
  return median(times);
}

interface Measured {
  versions: number;
  planMs: number;
  noPathMs: number;
  blockedMs: number;
}

function measure(catalog: Catalog): Measured {
  const newest = newestRelease(catalog);
  return {
    versions: catalog.versions.length,
    planMs: time(() => outcome(catalog, '3.0.0', newest), '9 hops'),
    noPathMs: time(() => outcome(catalog, '3.0.0', NO_PATH_TARGET), 'NO_PATH'),
    blockedMs: time(() => outcome(catalog, '3.0.0', lastBlocked(catalog)), 'BLOCKED_VERSION'),
  };
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

const loadBefore = loadavg();
const catalogs = SIZES.map(generateCatalog);
// One pass first lets the JIT settle, so the baseline (the smallest catalog) is not measured cold.
measure(catalogs[0] as Catalog);
const measured = catalogs.map(measure);
const base = measured[0] as Measured;
const rows = measured.map((m) => ({
  versions: m.versions,
  planMs: round(m.planMs, 1),
  noPathMs: round(m.noPathMs, 1),
  blockedMs: round(m.blockedMs, 1),
  perVersionVsBaseline: round(m.planMs / m.versions / (base.planMs / base.versions), 2),
}));
const largest = catalogs.at(-1);

const dir = await mkdtemp(join(tmpdir(), 'redis-upgrader-bench-'));
let cli: { versions: number; ms: number; exampleCatalogMs: number } | undefined;
try {
  if (largest !== undefined) {
    const file = join(dir, 'catalog.json');
    await writeFile(file, JSON.stringify(largest, null, 2));
    const ms = cliMs([
      '--from',
      '3.0.0',
      '--to',
      newestRelease(largest),
      '--platform',
      PLATFORM,
      '--catalog',
      file,
    ]);
    const exampleCatalogMs = cliMs(['--from', '3.16.2', '--to', '5.1.0']);
    cli = {
      versions: largest.versions.length,
      ms: Math.round(ms),
      exampleCatalogMs: Math.round(exampleCatalogMs),
    };
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
const loadAfter = loadavg();

const load = (figures: number[]) => figures.map((figure) => figure.toFixed(2)).join(' ');
console.log(`planner, ${cpus().length} cores, load before ${load(loadBefore)}, after ${load(loadAfter)}`);
console.log('versions  plan(ms)  NO_PATH(ms)  BLOCKED(ms)  plan per version vs baseline');
for (const row of rows) {
  console.log(
    `${String(row.versions).padStart(8)}  ${row.planMs.toFixed(1).padStart(8)}  ${row.noPathMs.toFixed(1).padStart(11)}  ${row.blockedMs.toFixed(1).padStart(11)}  ${row.perVersionVsBaseline.toFixed(2)}x`,
  );
}
if (cli !== undefined) {
  console.log(
    `redis-upgrader plan on ${cli.versions} versions: ${cli.ms} ms (example catalog: ${cli.exampleCatalogMs} ms)`,
  );
}
const out = resolve(import.meta.dirname, 'results/planner.json');
await mkdir(resolve(import.meta.dirname, 'results'), { recursive: true });
await writeFile(
  out,
  `${JSON.stringify({ cores: cpus().length, loadBefore, loadAfter, runs: RUNS, rows, cli }, null, 2)}\n`,
);
console.log(`figures written to ${out}`);
