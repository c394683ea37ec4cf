/**
 * `npm run bench -- pipeline`: how a rollout scales on the local runtime. Upgrades fleets of 1, 10
 * and 100 healthy simulated clusters from 3.16.2 to 4.0.3 (one major hop: validate, backup check,
 * download once, violet push per cluster, approval, verify) through exactly what `npm start`
 * runs, and reports wall time per fleet and the throughput ratio against the 1-cluster baseline
 * measured in the same run. Simulated waits (catalog sync, install) run at the scenario's clock
 * speed, so the figures are the pipeline's own overhead plus its re-enqueue cadence, not ACP's.
 * Writes bench/results/pipeline.json.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runDemo } from '#cli/demo-run.ts';
import { scenarioText } from './fleet-run.ts';

const SIZES = (process.env.BENCH_PIPELINE_SIZES ?? '1,10,100').split(',').map(Number);

/** The fleet bench's scenario (bench/fleet-run.ts) at the demo's speed. */
const scenario = (clusters: number) => scenarioText(clusters, 600);

interface Row {
  clusters: number;
  wallSeconds: number;
  succeeded: number;
  clustersPerMinute: number;
  throughputVsBaseline: number;
}

const dir = await mkdtemp(join(tmpdir(), 'redis-upgrader-bench-'));
const rows: Row[] = [];
try {
  for (const clusters of SIZES) {
    const file = join(dir, `scenario-${clusters}.yaml`);
    await writeFile(file, scenario(clusters));
    const result = await runDemo({
      scenario: file,
      targetVersion: '4.0.3',
      takeBackup: false,
      logLevel: 'SILENT',
      timeoutSeconds: 600,
      say: () => undefined,
      stopRequested: new Promise(() => undefined),
    });
    const wallSeconds = result.elapsedMs / 1000;
    const perMinute = (clusters / wallSeconds) * 60;
    const baseline = rows[0]?.clustersPerMinute ?? perMinute;
    rows.push({
      clusters,
      wallSeconds: Number(wallSeconds.toFixed(2)),
      succeeded: result.rows.filter((row) => row.result === 'succeeded').length,
      clustersPerMinute: Number(perMinute.toFixed(1)),
      throughputVsBaseline: Number((perMinute / baseline).toFixed(2)),
    });
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

console.log(
  `rollout 3.16.2 -> 4.0.3 on the local runtime, ${cpus().length} cores, load ${loadavg()[0]?.toFixed(1)}`,
);
console.log('clusters  wall(s)  succeeded  clusters/min  throughput vs 1 cluster');
for (const row of rows) {
  console.log(
    `${String(row.clusters).padStart(8)}  ${row.wallSeconds.toFixed(2).padStart(7)}  ${String(row.succeeded).padStart(9)}  ${row.clustersPerMinute.toFixed(1).padStart(12)}  ${row.throughputVsBaseline.toFixed(2)}x`,
  );
}
const out = resolve(import.meta.dirname, 'results/pipeline.json');
await mkdir(resolve(import.meta.dirname, 'results'), { recursive: true });
await writeFile(out, `${JSON.stringify({ cores: cpus().length, rows }, null, 2)}\n`);
console.log(`figures written to ${out}`);
const failed = rows.some((row) => row.succeeded !== row.clusters);
process.exit(failed ? 1 : 0);
