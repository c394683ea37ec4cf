/**
 * One measurement of `npm run bench -- fleet`: N simulated clusters upgraded 3.16.2 -> 4.0.3 (one
 * major hop) on the local runtime, started through the HTTP API as `npm start` does, and what it
 * cost: wall time from the first request to the last job's end, Kubernetes requests and
 * connections as the simulator counted them, queue messages as the runtime's queue counted them,
 * and the upgrader's CPU (this process plus the violet processes it ran; the simulator excluded
 * when it runs in its own process). The simulator runs in this process, or in its own with
 * `separateSimulator`, where the figures are the upgrader's alone.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { batchItem } from '#adapters/aws/dynamo-batch-store.ts';
import { dynamoItemBytes } from '#adapters/aws/dynamo-item-size.ts';
import { jobItem } from '#adapters/aws/dynamo-job-item.ts';
import { DATABASE_FILE } from '#adapters/local/sqlite-database.ts';
import { readStoredJob } from '#adapters/stored-job.ts';
import { ApiClient } from '#cli/api-client.ts';
import { VIOLET_SHIM } from '#cli/demo-run.ts';
import { TERMINAL_STATES } from '#domain/job.ts';
import { type LocalRuntime, startLocalRuntime } from '#runtime/local-runtime.ts';
import { type Config, loadConfig } from '#shared/config.ts';
import { SERVICE_NAME } from '#shared/logger.ts';
import type { Clock } from '#shared/ports.ts';
import type { TrafficView } from '#sim/api/traffic.ts';
import { startFleet } from '#sim/fleet.ts';
import { EXAMPLE_CATALOG_PATH } from '#sim/packages/example-packages.ts';
import { simProcess } from '#test/chaos/support/sim-process.ts';
import { parseStackConfig } from '../infra/stack-config.ts';
import { batchWriteUnits, type JobWriteCounts } from './cost-model.ts';
import {
  countBatches,
  countLogLines,
  countWrites,
  keepBatchWrites,
  type LogCounts,
} from './fleet-counters.ts';

export interface FleetRunOptions {
  clusters: number;
  /** Simulated time per real time. */
  speed: number;
  /**
   * `demo`: the demo's second-scale polls (cli/demo-run.ts), so the run waits for the fleet, not
   * for itself. `production`: the stages' production poll and retry intervals on a runtime clock
   * that runs `speed` times faster, like the simulator's: every wait takes as many polls as it
   * would against a real ACP cluster, in 1/speed of the time.
   */
  cadence?: 'demo' | 'production';
  /** false: no watches (REDIS_UPGRADER_MAX_WATCHES=0), every wait polls, as on AWS without a watcher. */
  watches?: boolean;
  separateSimulator?: boolean;
  /**
   * `upgrades`: one POST /upgrades per cluster, 8 at a time, as a script would. `rollout`: one
   * POST /batches of a single wave of every cluster, as `redis-upgrader rollout` would; the
   * rollout consumer starts the jobs and is woken by each one's end. `canary`: the same rollout
   * with a canary of one cluster first, as a fleet is usually upgraded; the later jobs time their
   * first checks by what the canary's waits took (#domain/stage-durations.ts).
   */
  start?: 'upgrades' | 'rollout' | 'canary';
  /**
   * Clusters upgraded one by one, alone, before the measured ones start and counting starts: the
   * earlier hops whose stage times the wait history keeps (#domain/wait-history.ts), as a runtime
   * in use has them. 0 (default): a fresh runtime, nothing learned.
   */
  earlier?: number;
  timeoutSeconds?: number;
}

export interface FleetRunFigures {
  clusters: number;
  wallSeconds: number;
  succeeded: number;
  traffic: TrafficView;
  /** Queue messages sent, by queue. */
  messages: Record<string, number>;
  /** Write units of the rollout's batch writes on DynamoDB (0 without a rollout), the store's layout and the one before. */
  batchWriteUnits: { listingItem: number; batchIndexed: number };
  /** Batches received, by queue: an invocation each on Lambda. */
  batches: Record<string, number>;
  /**
   * Job store writes (creates and conditional updates, as tried: DynamoDB bills a failed one too), job events (its creation and each
   * transition: one event log write each) and the stored job's mean size.
   */
  jobs: { writes: JobWriteCounts; events: number; meanBytes: number; meanItemBytes: number };
  /** CPU of the upgrader: this process (the simulator too when in-process) plus its violet children. */
  cpuSeconds: { self: number; children: number };
  /** The upgrader's log lines at the production cadence, which logs at INFO as a deployment does (none otherwise). */
  logs: LogCounts;
}

export function scenarioText(clusters: number, speed: number): string {
  return `seed: 1
speed: ${speed}
clusters: { count: ${clusters}, namePrefix: bench- }
platforms: [{ name: acp-bench, token: bench-token-0000000001 }]
defaults:
  installedVersion: 3.16.2
  channel: stable
  platformVersion: 3.18.0
  approval: Manual
  backupAge: 1h
  syncDelay: 15m
  installTime: 2m
`;
}

/** CPU seconds of the children this process waited for (the violet runs), from /proc (Linux). */
function childrenCpuSeconds(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
    // Fields 16 and 17 of stat(5) (cutime, cstime), counted from the state field (3), in ticks of 1/100 s.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return Number.NaN;
  }
}

interface SimUnderTest {
  kubeconfig: string;
  caFile: string | undefined;
  downloadBaseUrl: string;
  names: string[];
  traffic(): Promise<TrafficView>;
  stop(): Promise<void>;
}

async function startSimulator(dir: string, options: FleetRunOptions): Promise<SimUnderTest> {
  const scenarioFile = join(dir, 'scenario.yaml');
  await writeFile(scenarioFile, scenarioText(options.clusters + (options.earlier ?? 0), options.speed));
  if (options.separateSimulator) {
    const sim = await simProcess({ scenarioFile, dir });
    return {
      kubeconfig: sim.kubeconfig,
      caFile: sim.certificateAuthorityFile,
      downloadBaseUrl: sim.downloadBaseUrl,
      names: sim.platforms.flatMap((p) => p.clusters),
      traffic: () => sim.control.traffic(),
      stop: () => sim.stop(),
    };
  }
  const fleet = await startFleet({ scenario: scenarioFile });
  const kubeconfig = join(dir, 'kubeconfig');
  const { caFile } = await fleet.writeKubeconfig(kubeconfig);
  return {
    kubeconfig,
    caFile,
    downloadBaseUrl: fleet.downloadBaseUrl,
    names: fleet.clusterNames(),
    traffic: async () => fleet.traffic(),
    stop: () => fleet.stop(),
  };
}

const DEMO_CADENCE = {
  REDIS_UPGRADER_STAGE_POLL_SECONDS: '1',
  REDIS_UPGRADER_RETRY_SECONDS: '1',
};

/**
 * Production intervals in scaled time; a visibility timeout long enough for a push in real time;
 * as many batches of a queue at once as the stack lets Lambda run, so batches are as large as
 * there, and the rollout's batching window of the stack in scaled time.
 */
function productionCadence(speed: number): Record<string, string> {
  const stack = parseStackConfig({});
  return {
    REDIS_UPGRADER_VISIBILITY_TIMEOUT_SECONDS: '900',
    REDIS_UPGRADER_POLL_CONCURRENCY: String(stack.maxConcurrency),
    REDIS_UPGRADER_ROLLOUT_WINDOW_MS: String(Math.round((stack.rolloutBatchingWindowSeconds * 1000) / speed)),
  };
}

/** Time that runs `speed` times faster than the wall clock from its start. */
function scaledClock(speed: number): Clock {
  const start = Date.now();
  return { now: () => new Date(start + (Date.now() - start) * speed) };
}

function runtimeConfig(dir: string, sim: SimUnderTest, cadence: Record<string, string>): Config {
  return loadConfig({
    REDIS_UPGRADER_DATA_DIR: join(dir, 'data'),
    REDIS_UPGRADER_HOST: '127.0.0.1',
    REDIS_UPGRADER_PORT: '0',
    REDIS_UPGRADER_API_TOKEN: randomBytes(24).toString('base64url'),
    REDIS_UPGRADER_CATALOG: EXAMPLE_CATALOG_PATH,
    REDIS_UPGRADER_KUBECONFIG: sim.kubeconfig,
    REDIS_UPGRADER_ARTIFACT_MIRROR: `${sim.downloadBaseUrl}/`,
    ...(sim.caFile ? { REDIS_UPGRADER_ARTIFACT_MIRROR_CA: sim.caFile } : {}),
    REDIS_UPGRADER_VIOLET: VIOLET_SHIM,
    REDIS_UPGRADER_LOG_LEVEL: 'SILENT',
    REDIS_UPGRADER_POLL_INTERVAL_MS: '100',
    REDIS_UPGRADER_POLL_CONCURRENCY: '4',
    ...cadence,
  });
}

/** Starts every upgrade through the API, a few requests at a time, as a script or rollout would. */
async function startUpgrades(client: ApiClient, names: string[]): Promise<void> {
  const queue = [...names];
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      await client.startUpgrade({ cluster: name, targetVersion: '4.0.3' });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** Upgrades the first `count` of `names` one after the other; the others, to measure. */
async function upgradeEarlier(
  client: ApiClient,
  config: Config,
  names: string[],
  count: number,
  timeoutMs: number,
): Promise<string[]> {
  for (const [done, name] of names.slice(0, count).entries()) {
    await startUpgrades(client, [name]);
    await waitForAll(config, done + 1, timeoutMs);
  }
  return names.slice(count);
}

/**
 * Waits until every job ended; counts with one cheap query on a connection of its own, so that
 * watching costs the runtime nothing measurable.
 */
async function waitForAll(config: Config, count: number, timeoutMs: number): Promise<void> {
  const db = new DatabaseSync(join(config.dataDir, DATABASE_FILE), { readOnly: true, timeout: 5000 });
  const states = TERMINAL_STATES.map((state) => `'${state}'`).join(', ');
  const ended = db.prepare(`SELECT count(*) AS n FROM jobs WHERE state IN (${states})`);
  const deadline = Date.now() + timeoutMs;
  try {
    while ((ended.get() as { n: number }).n < count) {
      if (Date.now() > deadline) throw new Error(`bench fleet: jobs still running after ${timeoutMs} ms`);
      await sleep(100);
    }
  } finally {
    db.close();
  }
}

/** What the ended jobs wrote; read after the clock stopped (compressing each job as the AWS store would takes a while). */
function jobTotals(
  config: Config,
  clusters: ReadonlySet<string>,
): {
  succeeded: number;
  events: number;
  meanBytes: number;
  meanItemBytes: number;
} {
  const db = new DatabaseSync(join(config.dataDir, DATABASE_FILE), { readOnly: true, timeout: 5000 });
  try {
    const rows = (
      db.prepare('SELECT id, cluster, state, data FROM jobs').all() as {
        id: string;
        cluster: string;
        state: string;
        data: string;
      }[]
    ).filter((row) => clusters.has(row.cluster));
    const totals = {
      succeeded: rows.filter((row) => row.state === 'succeeded').length,
      meanBytes: rows.reduce((sum, row) => sum + row.data.length, 0) / Math.max(rows.length, 1),
    };
    // The same jobs as the AWS job store would write them.
    const stored = rows.map((row) => readStoredJob(JSON.parse(row.data), row.id));
    const itemBytes = stored.map((job) => dynamoItemBytes(jobItem(job)));
    // A job's events are its creation and each transition (#domain/job-event.ts).
    const events = stored.reduce((sum, job) => sum + job.transitions.length + 1, 0);
    return {
      ...totals,
      events,
      meanItemBytes: itemBytes.reduce((a, b) => a + b, 0) / Math.max(itemBytes.length, 1),
    };
  } finally {
    db.close();
  }
}

export async function runFleet(options: FleetRunOptions): Promise<FleetRunFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'redis-upgrader-bench-fleet-'));
  let sim: SimUnderTest | undefined;
  let runtime: LocalRuntime | undefined;
  let logs: ReturnType<typeof countLogLines> | undefined;
  try {
    sim = await startSimulator(dir, options);
    const production = options.cadence === 'production';
    const config = runtimeConfig(dir, sim, {
      ...(production ? productionCadence(options.speed) : DEMO_CADENCE),
      ...(options.watches === false ? { REDIS_UPGRADER_MAX_WATCHES: '0' } : {}),
      // What a deployment logs, counted (and kept off the terminal) for the cost model.
      ...(production ? { REDIS_UPGRADER_LOG_LEVEL: 'INFO' } : {}),
      // A baseline for the rollout's batching window (0: each wake alone).
      ...(process.env.BENCH_FLEET_ROLLOUT_WINDOW_MS
        ? { REDIS_UPGRADER_ROLLOUT_WINDOW_MS: process.env.BENCH_FLEET_ROLLOUT_WINDOW_MS }
        : {}),
    });
    // Before the runtime starts, so that its lines stay off the terminal; counted from the clock's start.
    logs = production ? countLogLines(SERVICE_NAME) : undefined;
    runtime = await startLocalRuntime(config, production ? { clock: scaledClock(options.speed) } : {});
    const client = new ApiClient({ baseUrl: runtime.url, token: config.apiToken });
    for (const name of sim.names) await client.putCluster(name, { context: name, labels: {} });
    const timeoutMs = (options.timeoutSeconds ?? 900) * 1000;
    const measured = await upgradeEarlier(client, config, sim.names, options.earlier ?? 0, timeoutMs);
    const messages: Record<string, number> = {};
    // An expedited message was counted when it was sent.
    runtime.queues.onSend((queue, how) => {
      if (how === 'sent') messages[queue] = (messages[queue] ?? 0) + 1;
    });
    const writes = countWrites(runtime.jobs);
    const batches = countBatches(runtime.queues);
    const batchWrites = keepBatchWrites(runtime.batches);
    const before = await sim.traffic();
    const logs0 = logs ? { ...logs.counts } : { lines: 0, bytes: 0 };
    const cpu0 = process.cpuUsage();
    const children0 = childrenCpuSeconds();
    const started = performance.now();
    if (options.start === 'rollout' || options.start === 'canary') {
      const strategy = { waveSize: measured.length, ...(options.start === 'canary' ? { canary: 1 } : {}) };
      await client.startBatch({ targetVersion: '4.0.3', clusters: measured, strategy });
    } else await startUpgrades(client, measured);
    await waitForAll(config, sim.names.length, timeoutMs);
    const wallSeconds = (performance.now() - started) / 1000;
    const logged = {
      lines: (logs?.counts.lines ?? 0) - logs0.lines,
      bytes: (logs?.counts.bytes ?? 0) - logs0.bytes,
    };
    const cpu = process.cpuUsage(cpu0);
    const children = childrenCpuSeconds() - children0;
    const ended = jobTotals(config, new Set(measured));
    const batchBytes = batchWrites.map((write) => dynamoItemBytes(batchItem(write.batch)));
    const billBatches = (layout: 'listing-item' | 'batch-indexed') =>
      batchWrites.reduce(
        (sum, write, i) => sum + batchWriteUnits(batchBytes[i] ?? 0, write.events, layout),
        0,
      );
    const after = await sim.traffic();
    if (process.env.BENCH_FLEET_TRACE) await printTimeline(runtime, measured[0]);
    return {
      clusters: measured.length,
      wallSeconds,
      succeeded: ended.succeeded,
      batchWriteUnits: {
        listingItem: billBatches('listing-item'),
        batchIndexed: billBatches('batch-indexed'),
      },
      jobs: {
        writes,
        events: ended.events,
        meanBytes: Math.round(ended.meanBytes),
        meanItemBytes: Math.round(ended.meanItemBytes),
      },
      traffic: trafficBetween(before, after),
      messages,
      batches,
      cpuSeconds: { self: (cpu.user + cpu.system) / 1e6, children },
      logs: logged,
    };
  } finally {
    await runtime?.stop();
    logs?.stop();
    await sim?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * BENCH_FLEET_TRACE=1: where the time goes. One job's transitions, in seconds from its creation,
 * and over every job the mean and largest time spent in each state.
 */
async function printTimeline(runtime: LocalRuntime, cluster: string | undefined): Promise<void> {
  const jobs = await runtime.jobs.list({ limit: 10_000 });
  const mine = jobs.find((job) => job.cluster === cluster);
  const start = mine ? Date.parse(mine.createdAt) : 0;
  for (const t of mine?.transitions ?? []) {
    console.log(
      `  ${((Date.parse(t.at) - start) / 1000).toFixed(2).padStart(7)} s  ${t.from} -> ${t.to}  ${t.reason ?? ''}`,
    );
  }
  const spent = new Map<string, number[]>();
  for (const job of jobs) {
    let since = Date.parse(job.createdAt);
    for (const t of job.transitions) {
      const at = Date.parse(t.at);
      spent.set(t.from, [...(spent.get(t.from) ?? []), (at - since) / 1000]);
      since = at;
    }
  }
  for (const [state, seconds] of spent) {
    const mean = seconds.reduce((a, b) => a + b, 0) / seconds.length;
    console.log(`  ${state.padEnd(16)} mean ${mean.toFixed(2)} s  max ${Math.max(...seconds).toFixed(2)} s`);
  }
}

/** What the platforms served between two readings (registration's traffic left out). */
function trafficBetween(before: TrafficView, after: TrafficView): TrafficView {
  const minus = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(a)
        .map(([key, n]) => [key, n - (b[key] ?? 0)] as const)
        .filter(([, n]) => n > 0),
    );
  return {
    connections: {
      accepted: after.connections.accepted - before.connections.accepted,
      open: after.connections.open,
      peakOpen: after.connections.peakOpen,
    },
    requests: minus(after.requests, before.requests),
    clusters: minus(after.clusters, before.clusters),
    uploads: after.uploads - before.uploads,
  };
}
