/**
 * `npm run bench:sim`: what the simulator serves on this machine. For 1, 100 and 1,000 clusters:
 * heap per simulated cluster (after GC, needs --expose-gc), then requests/second for a namespaced
 * list (the Subscription poll an upgrade does) and a JSON merge patch, spread over every cluster,
 * from a worker thread on loopback. Writes bench/results/sim.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { startFleet } from '#sim/fleet.ts';
import { parseScenario } from '#sim/scenario.ts';
import type { LoadJob, LoadResult } from './sim-load.ts';

const SIZES = (process.env.BENCH_SIM_SIZES ?? '1,100,1000').split(',').map(Number);
const DURATION_MS = Number(process.env.BENCH_SIM_SECONDS ?? 4) * 1000;
const CONCURRENCY = 32;
const MAX_REQUESTS = 200_000;
const SUBSCRIPTIONS = 'apis/operators.coreos.com/v1alpha1/namespaces/redis-system/subscriptions';

// Typical clusters, controllers idle (nothing to upgrade): what a rollout polls most of the time.
const scenario = parseScenario({
  defaults: {
    instances: [{ kind: 'Redis', count: 2 }, { kind: 'RedisFailover' }],
    backupAge: '2h',
    nodes: { count: 3 },
  },
});

interface SizeFigures {
  clusters: number;
  /** null below 100 clusters, where one cluster's heap is within GC noise. */
  heapPerClusterKiB: number | null;
  startMs: number;
  list: LoadResult & { rps: number };
  patch: LoadResult & { rps: number };
}

const gc = (globalThis as { gc?: () => void }).gc;

function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

function load(job: LoadJob): Promise<LoadResult & { rps: number }> {
  return new Promise((done, fail) => {
    const worker = new Worker(new URL('./sim-load.ts', import.meta.url), { workerData: job });
    worker.once('message', (result: LoadResult) => {
      done({ ...result, rps: Math.round(result.requests / result.seconds) });
      void worker.terminate();
    });
    worker.once('error', fail);
  });
}

async function measure(clusters: number): Promise<SizeFigures> {
  // A stopped fleet's sockets and timers let go of it on a later turn of the event loop.
  await new Promise((settle) => setTimeout(settle, 100));
  const before = heapUsed();
  const t0 = performance.now();
  const fleet = await startFleet({ clusters, scenario, seed: 1, speed: 1 });
  const startMs = Math.round(performance.now() - t0);
  try {
    const heapPerClusterKiB = clusters < 100 ? null : Math.round((heapUsed() - before) / clusters / 1024);
    const [platform] = fleet.platforms;
    if (!platform) throw new Error('fleet has no platform');
    const base = (name: string) => `${platform.url}/kubernetes/${name}`;
    const common = {
      token: platform.token,
      concurrency: CONCURRENCY,
      durationMs: DURATION_MS,
      maxRequests: MAX_REQUESTS,
    };
    const list = await load({
      ...common,
      method: 'GET',
      urls: platform.clusters.map((c) => `${base(c)}/${SUBSCRIPTIONS}`),
    });
    const patch = await load({
      ...common,
      method: 'PATCH',
      urls: platform.clusters.map((c) => `${base(c)}/${SUBSCRIPTIONS}/redis-operator`),
      contentType: 'application/merge-patch+json',
      body: JSON.stringify({ metadata: { annotations: { 'bench.redis-upgrader/touched': 'yes' } } }),
    });
    return { clusters, heapPerClusterKiB, startMs, list, patch };
  } finally {
    await fleet.stop();
  }
}

function table(rows: SizeFigures[]): string {
  const header = [
    'clusters',
    'start ms',
    'heap/cluster',
    'list rps',
    'list p99',
    'patch rps',
    'patch p99',
    'errors',
  ];
  const lines = rows.map((r) => [
    String(r.clusters),
    String(r.startMs),
    r.heapPerClusterKiB === null ? '-' : `${r.heapPerClusterKiB} KiB`,
    String(r.list.rps),
    `${r.list.p99Ms.toFixed(1)} ms`,
    String(r.patch.rps),
    `${r.patch.p99Ms.toFixed(1)} ms`,
    String(r.list.errors + r.patch.errors),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  return [header, ...lines]
    .map((l) => l.map((cell, i) => cell.padStart(widths[i] as number)).join('  '))
    .join('\n');
}

if (!gc) console.warn('warning: run with --expose-gc (npm run bench:sim) for meaningful heap figures');
// The first fleets of a process parse the CRD schemas and warm the JIT: keep that one-time cost
// (about 14 MB) out of the per-cluster figure.
await (await startFleet({ clusters: 100, scenario, speed: 1 })).stop();
const rows: SizeFigures[] = [];
for (const size of SIZES) rows.push(await measure(size));
const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load average ${loadavg()[0]?.toFixed(1)} at the end`;
console.log(
  `simulator throughput (${CONCURRENCY} requests in flight from a worker thread, ${DURATION_MS / 1000} s each; ${machine})`,
);
console.log(table(rows));
const out = resolve(import.meta.dirname, 'results/sim.json');
await mkdir(resolve(out, '..'), { recursive: true });
await writeFile(
  out,
  `${JSON.stringify({ machine, concurrency: CONCURRENCY, durationMs: DURATION_MS, rows }, null, 2)}\n`,
);
console.log(`figures written to ${out}`);
