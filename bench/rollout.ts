/**
 * `npm run bench -- rollout`: how one rollout decision scales with the batch. For batches of
 * 1,000, 3,000 and 10,000 clusters (canary 5, waves of 10%, 50 at a time), the median time of
 * `decide` folding a report for every job of the batch, in the middle of the second wave. The
 * baseline is the smallest batch in the same run: "per cluster vs baseline" stays near 1.00x
 * while a decision grows linearly with the batch. Writes bench/results/rollout.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { type Batch, newBatch } from '#domain/rollout/batch.ts';
import { batchRequestSchema } from '#domain/rollout/batch-request.ts';
import { decide } from '#domain/rollout/decide.ts';
import type { JobReport } from '#domain/rollout/rollout-reports.ts';
import { planWaves } from '#domain/rollout/wave-plan.ts';
import { median } from './median.ts';

const SIZES = (process.env.BENCH_ROLLOUT_SIZES ?? '1000,3000,10000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_ROLLOUT_RUNS ?? 15);
const at = new Date('2026-03-02T10:00:00Z');

/** A batch whose canary is done and whose second wave runs 50 jobs; every job's report. */
function midRollout(size: number): { batch: Batch; jobs: JobReport[] } {
  const clusters = Array.from({ length: size }, (_, i) => ({
    name: `c${String(i).padStart(5, '0')}`,
    labels: {},
  }));
  const request = batchRequestSchema.parse({
    targetVersion: '4.2.1',
    clusters: clusters.map((c) => c.name),
    strategy: { canary: 5, waveSize: '10%', maxConcurrency: 50 },
  });
  let batch = newBatch({ id: 'bench', request, waves: planWaves(clusters, request.strategy), at });
  const jobs = new Map<string, JobReport>();
  const report = (state: JobReport['state']) => {
    for (const c of batch.clusters.filter((c) => c.state === 'starting' || c.state === 'started')) {
      jobs.set(c.name, { cluster: c.name, jobId: `job-${c.name}`, state });
    }
  };
  batch = decide(batch, at).batch;
  report('succeeded');
  batch = decide(batch, at, { jobs: [...jobs.values()] }).batch;
  const rechecks = batch.clusters
    .filter((c) => c.state === 'upgraded')
    .map((c) => ({ cluster: c.name, checkedAt: at.toISOString(), healthy: true }));
  batch = decide(batch, at, { jobs: [...jobs.values()], rechecks }).batch;
  report('uploading');
  return { batch, jobs: [...jobs.values()] };
}

const loadBefore = loadavg();
const figures = SIZES.map((size) => {
  const { batch, jobs } = midRollout(size);
  if (batch.waves[1]?.startedAt === undefined) throw new Error('the second wave did not start');
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const started = performance.now();
    const decision = decide(batch, at, { jobs });
    const elapsed = performance.now() - started;
    if (!decision.changed) throw new Error('the decision saw nothing new');
    if (i > 0) times.push(elapsed);
  }
  return { clusters: size, decideMs: median(times) };
});
const loadAfter = loadavg();

const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(' ');
const baseline = figures[0];
console.log(`rollout, ${cpus().length} cores, load before ${load(loadBefore)}, after ${load(loadAfter)}`);
console.log('clusters  decide(ms)  per cluster vs baseline');
for (const figure of figures) {
  const ratio = baseline ? figure.decideMs / figure.clusters / (baseline.decideMs / baseline.clusters) : 1;
  console.log(
    `${String(figure.clusters).padStart(8)}  ${figure.decideMs.toFixed(1).padStart(10)}  ${ratio.toFixed(2)}x`,
  );
}
const out = resolve(import.meta.dirname, 'results/rollout.json');
await mkdir(resolve(import.meta.dirname, 'results'), { recursive: true });
await writeFile(out, JSON.stringify({ runs: RUNS, figures }, null, 2));
console.log(`figures written to ${out}`);
