/**
 * `npm run bench -- fleet`: how close N clusters come to the speed of one. Upgrades fleets of
 * 1, 10, 100, 300 and 1,000 simulated clusters (BENCH_FLEET_SIZES) 3.16.2 -> 4.0.3 on
 * the local runtime (bench/fleet-run.ts) and reports, against the 1-cluster run of the same
 * invocation: wall(N)/wall(1), clusters per minute, speedup over N sequential upgrades, and per
 * cluster-hop the Kubernetes requests (by verb and resource), TCP/TLS connections, queue
 * messages and upgrader CPU; the peak of open sockets and the load average. A second measurement
 * runs the simulator in its own process at speed 60 (BENCH_FLEET_SEPARATE_SIZES, '' to skip); a
 * third counts requests and messages at production poll intervals on a clock scaled 60x
 * (BENCH_FLEET_CADENCE_SIZES). Jobs start one POST /upgrades each; BENCH_FLEET_START=rollout
 * starts them as one rollout (POST /batches, a single wave) instead; BENCH_FLEET_START=canary as a
 * rollout whose first wave is a canary of one cluster. BENCH_FLEET_EARLIER=n upgrades n other
 * clusters one by one first, uncounted, so the measured jobs start from the wait history of
 * earlier hops (#domain/wait-history.ts) as on a runtime in use; default 0, a fresh runtime.
 * Sizes left to their defaults run while they fit in 10 minutes (BENCH_FLEET_BUDGET_SECONDS,
 * bench/fleet-budget.ts); the rest are printed and recorded as skipped.
 * Writes bench/results/fleet.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseStackConfig } from '../infra/stack-config.ts';
import { ASSUMPTIONS, estimateCost, type HopCounts, type JobWriteCounts, PRICES } from './cost-model.ts';
import { type FleetBudget, fleetBudget, type SizeRun, type Skipped } from './fleet-budget.ts';
import { type FleetRunFigures, runFleet } from './fleet-run.ts';

const UPLOAD_BATCH_SIZE = parseStackConfig({}).uploadBatchSize;

/** The sizes a measurement runs; `named` when its variable names them (then the budget does not apply). */
function sizes(variable: string, fallback: string): { sizes: number[]; named: boolean } {
  const given = process.env[variable];
  return {
    sizes: (given ?? fallback)
      .split(',')
      .filter(Boolean)
      .map(Number)
      .filter((n) => Number.isInteger(n) && n > 0),
    named: given !== undefined,
  };
}

const IN_PROCESS = { ...sizes('BENCH_FLEET_SIZES', '1,10,100,300,1000'), speed: 600 };
const SEPARATE = { ...sizes('BENCH_FLEET_SEPARATE_SIZES', '1,100,1000'), speed: 60 };
/** Requests and messages per hop at production poll intervals (time scaled 60x). */
const CADENCE = { ...sizes('BENCH_FLEET_CADENCE_SIZES', '1,10,100'), speed: 60 };
/** The same without watches: every wait polls, as on AWS, which has no watcher. */
const POLLING = { ...sizes('BENCH_FLEET_POLLING_SIZES', '10,100'), speed: 60 };
/** Default sizes run while the budget holds them (bench/fleet-budget.ts). */
const BUDGET: FleetBudget = fleetBudget(Number(process.env.BENCH_FLEET_BUDGET_SECONDS ?? 600));
const skipped: (Skipped & { measurement: string })[] = [];

export interface FleetRow {
  clusters: number;
  wallSeconds: number;
  succeeded: number;
  vsOneCluster: number;
  clustersPerMinute: number;
  speedupOverSequential: number;
  perClusterHop: {
    kubeRequests: number;
    connections: number;
    queueMessages: number;
    /** Batches received: Lambda invocations. */
    queueBatches: number;
    jobWrites: number;
    jobWriteKinds: JobWriteCounts;
    /** DynamoDB write units of the rollout's batch writes, and with the batch item indexed (before listing items). */
    batchWriteUnits: number;
    batchWriteUnitsBefore: number;
    /** Job events (each one event log write, notify message or not). */
    jobEvents: number;
    cpuMs: number;
    /** Of which the violet processes. */
    childCpuMs: number;
    /** The upgrader's log lines and bytes (production cadence only: it logs at INFO). */
    logLines: number;
    logBytes: number;
    byRequest: Record<string, number>;
    byQueue: Record<string, number>;
  };
  peakOpenSockets: number;
  uploads: number;
  jobBytes: number;
  /** The job's DynamoDB item, as the AWS job store writes it (the job compressed). */
  itemBytes: number;
  load: number[];
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));
const sum = (values: Record<string, number>) => Object.values(values).reduce((a, b) => a + b, 0);
const per = (values: Record<string, number>, hops: number) =>
  Object.fromEntries(
    Object.entries(values)
      .sort(([, a], [, b]) => b - a)
      .map(([key, n]) => [key, round(n / hops, 1)]),
  );

function row(figures: FleetRunFigures, baseline: FleetRunFigures | undefined): FleetRow {
  // One hop per cluster (3.16.2 -> 4.0.3).
  const hops = figures.clusters;
  const base = baseline ?? figures;
  return {
    clusters: figures.clusters,
    wallSeconds: round(figures.wallSeconds),
    succeeded: figures.succeeded,
    vsOneCluster: round(figures.wallSeconds / base.wallSeconds),
    clustersPerMinute: round((figures.clusters / figures.wallSeconds) * 60, 1),
    speedupOverSequential: round((figures.clusters * base.wallSeconds) / figures.wallSeconds, 1),
    perClusterHop: {
      kubeRequests: round(sum(figures.traffic.requests) / hops, 1),
      connections: round(figures.traffic.connections.accepted / hops, 2),
      queueMessages: round(sum(figures.messages) / hops, 1),
      queueBatches: round(sum(figures.batches) / hops, 1),
      jobWrites: round(
        (figures.jobs.writes.creates + figures.jobs.writes.activeWrites + figures.jobs.writes.ends) / hops,
        1,
      ),
      jobWriteKinds: Object.fromEntries(
        Object.entries(figures.jobs.writes).map(([kind, n]) => [kind, round(n / hops, 2)]),
      ) as unknown as JobWriteCounts,
      batchWriteUnits: round(figures.batchWriteUnits.listingItem / hops, 2),
      batchWriteUnitsBefore: round(figures.batchWriteUnits.batchIndexed / hops, 2),
      jobEvents: round(figures.jobs.events / hops, 1),
      cpuMs: Math.round(((figures.cpuSeconds.self + figures.cpuSeconds.children) * 1000) / hops),
      childCpuMs: Math.round((figures.cpuSeconds.children * 1000) / hops),
      logLines: round(figures.logs.lines / hops, 1),
      logBytes: Math.round(figures.logs.bytes / hops),
      byRequest: per(figures.traffic.requests, hops),
      byQueue: per(figures.messages, hops),
    },
    peakOpenSockets: figures.traffic.connections.peakOpen,
    uploads: figures.traffic.uploads,
    jobBytes: figures.jobs.meanBytes,
    itemBytes: figures.jobs.meanItemBytes,
    load: loadavg().map((l) => round(l)),
  };
}

async function measure(
  label: string,
  plan: { sizes: number[]; named: boolean; speed: number },
  how: { separateSimulator?: boolean; cadence?: 'demo' | 'production'; watches?: boolean },
) {
  const chosen = process.env.BENCH_FLEET_START;
  const start = chosen === 'rollout' || chosen === 'canary' ? chosen : 'upgrades';
  const earlier = Number(process.env.BENCH_FLEET_EARLIER ?? 0);
  const rows: FleetRow[] = [];
  const runs: SizeRun[] = [];
  let baseline: FleetRunFigures | undefined;
  for (const clusters of plan.sizes) {
    const skip = plan.named ? undefined : BUDGET.skip(runs, clusters);
    if (skip) {
      skipped.push({ measurement: label, ...skip });
      console.log(
        `${label} ${String(clusters).padStart(5)}  skipped: about ${skip.expectedSeconds} s expected, ` +
          `${skip.leftSeconds} s left of the ${BUDGET.totalSeconds} s budget (BENCH_FLEET_BUDGET_SECONDS)`,
      );
      continue;
    }
    const started = performance.now();
    const figures = await runFleet({ clusters, speed: plan.speed, start, earlier, ...how });
    runs.push({ clusters, seconds: (performance.now() - started) / 1000 });
    baseline ??= figures;
    rows.push(row(figures, baseline));
    print(label, rows.at(-1) as FleetRow);
  }
  return rows;
}

function print(label: string, r: FleetRow): void {
  const c = r.perClusterHop;
  console.log(
    `${label} ${String(r.clusters).padStart(5)}  wall ${r.wallSeconds.toFixed(2).padStart(7)} s  ` +
      `${r.vsOneCluster.toFixed(2).padStart(6)}x of 1  ${r.clustersPerMinute.toFixed(0).padStart(6)}/min  ` +
      `speedup ${r.speedupOverSequential.toFixed(0).padStart(4)}  k8s ${c.kubeRequests}  conn ${c.connections}  ` +
      `msgs ${c.queueMessages} in ${c.queueBatches} batches (notify ${c.byQueue.notify ?? 0})  events ${c.jobEvents}  cpu ${c.cpuMs} ms (violet ${c.childCpuMs})  peak sockets ${r.peakOpenSockets}  pushes ${r.uploads}  ` +
      `ok ${r.succeeded}/${r.clusters}  load ${r.load.join(' ')}`,
  );
}

const loadBefore = loadavg();
console.log(`fleet, ${cpus().length} cores, load before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
const cadence = await measure('production cadence, 60x', CADENCE, { cadence: 'production' });
const polling = await measure('production cadence, polls only', POLLING, {
  cadence: 'production',
  watches: false,
});
const inProcess = await measure('in-process sim, speed 600', IN_PROCESS, {});
const separate = await measure('own-process sim, speed 60', SEPARATE, { separateSimulator: true });
for (const [what, rows] of [
  ['production cadence', cadence],
  ['production cadence, polls only', polling],
  ['demo cadence', inProcess],
] as const) {
  const last = rows.at(-1);
  if (last) console.log(`per cluster-hop, ${what}, ${last.clusters} clusters:`, last.perClusterHop);
}

/** The cost model on the production-cadence counts of the largest fleet measured `how`. */
function cost(rows: FleetRow[], how: string) {
  const last = rows.at(-1);
  if (!last) return undefined;
  const hop: HopCounts = {
    messages: last.perClusterHop.queueMessages,
    notifyMessages: last.perClusterHop.byQueue.notify ?? 0,
    jobEvents: last.perClusterHop.jobEvents,
    batches: last.perClusterHop.queueBatches,
    jobWrites: last.perClusterHop.jobWriteKinds,
    batchWriteUnits: last.perClusterHop.batchWriteUnits,
    batchWriteUnitsBefore: last.perClusterHop.batchWriteUnitsBefore,
    jobBytes: last.jobBytes,
    itemBytes: last.itemBytes,
    logLines: last.perClusterHop.logLines,
    logBytes: last.perClusterHop.logBytes,
    // On Lambda an invocation takes up to uploadBatchSize uploads: at best one push per that many clusters of a platform.
    pushes: Math.max(last.uploads / last.clusters, 1 / UPLOAD_BATCH_SIZE),
  };
  const estimate = estimateCost(hop);
  console.log(
    `cost per 1,000 single-hop upgrades (USD, list prices), from ${last.clusters} clusters at the production cadence, ${how}:`,
  );
  console.log(estimate.perThousandHops);
  console.log(
    "job write units per hop (the store's layout, and the job-indexed one before):",
    estimate.jobWriteUnits,
  );
  console.log(
    'total with job and batch items indexed themselves (the layout before):',
    estimate.totalIndexedItems,
  );
  console.log('total with the event log (before ADR 0008):', estimate.totalWithEventLog);
  console.log('monthly fixed for 1,000 clusters (USD):', estimate.monthlyFixed);
  return { hop, ...estimate, prices: PRICES, assumptions: ASSUMPTIONS };
}
const costModel = cost(cadence, 'waits watched');
const costModelPollsOnly = cost(polling, 'polls only (AWS has no watcher)');

const out = resolve(import.meta.dirname, 'results/fleet.json');
await mkdir(resolve(import.meta.dirname, 'results'), { recursive: true });
await writeFile(
  out,
  `${JSON.stringify({ cores: cpus().length, loadBefore, productionCadence: { speed: CADENCE.speed, rows: cadence }, productionCadencePollsOnly: { speed: POLLING.speed, rows: polling }, costModel, costModelPollsOnly, inProcess: { speed: IN_PROCESS.speed, rows: inProcess }, separateSimulator: { speed: SEPARATE.speed, rows: separate }, budgetSeconds: BUDGET.totalSeconds, skipped }, null, 2)}\n`,
);
console.log(`figures written to ${out}`);
const failed = [...cadence, ...polling, ...inProcess, ...separate].some((r) => r.succeeded !== r.clusters);
process.exit(failed ? 1 : 0);
