/**
 * `redis-upgrader demo` (= `npm start`): a simulated ACP fleet, the local runtime on a temporary
 * data dir wired to it (kubeconfig contexts, the violet shim, the fleet's package downloads as
 * artifact mirror), every cluster registered and rolled out in waves through the HTTP API (a
 * canary, waves of a quarter, a short bake, one failure tolerated), the live rollout board, and
 * a summary per wave and per cluster. Offline and self-contained; everything it starts it stops, and its
 * temporary directory is removed, also on Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiClient } from '#cli/api-client.ts';
import {
  type DemoGates,
  type Expectation,
  expectedOutcome,
  type SummaryRow,
  summaryRows,
  type WaveSummary,
  waveSummaries,
} from '#cli/demo-summary.ts';
import type { ProgressStream } from '#cli/progress-view.ts';
import { RolloutBoard } from '#cli/rollout-board.ts';
import { batchSettled, pollUntil } from '#cli/wait-for-job.ts';
import { UpgraderError } from '#domain/errors.ts';
import { type LocalRuntime, startLocalRuntime } from '#runtime/local-runtime.ts';
import { type Config, type LogLevel, loadConfig } from '#shared/config.ts';
import type { BatchViewReply } from '#shared/http/batch-replies.ts';
import { type Fleet, startFleet } from '#sim/fleet.ts';
import { EXAMPLE_CATALOG_PATH } from '#sim/packages/example-packages.ts';

export const VIOLET_SHIM = fileURLToPath(new URL('../sim/bin/violet', import.meta.url));

export interface DemoOptions {
  scenario: string;
  targetVersion: string;
  /** Simulated time per real time; default: the scenario's. */
  speed?: number;
  seed?: number;
  takeBackup: boolean;
  logLevel: LogLevel;
  timeoutSeconds: number;
  /** Live progress goes here (none when undefined, e.g. with --json). */
  progress?: ProgressStream;
  /** Status lines (what was started where). */
  say: (line: string) => void;
  /** Resolves when the user asks to stop (Ctrl-C). */
  stopRequested: Promise<unknown>;
}

export interface DemoResult {
  rows: SummaryRow[];
  waves: WaveSummary[];
  batch: { id: string; state: string; reason: string };
  elapsedMs: number;
  ok: boolean;
}

const POLL_MS = 250;

/** Seconds-scale waits instead of production's, so the run waits for the fleet, not for itself. */
function runtimeConfig(dir: string, fleet: Fleet, options: DemoOptions, caFile: string | undefined): Config {
  return loadConfig({
    REDIS_UPGRADER_DATA_DIR: join(dir, 'data'),
    REDIS_UPGRADER_HOST: '127.0.0.1',
    REDIS_UPGRADER_PORT: '0',
    REDIS_UPGRADER_API_TOKEN: randomBytes(24).toString('base64url'),
    REDIS_UPGRADER_CATALOG: EXAMPLE_CATALOG_PATH,
    REDIS_UPGRADER_KUBECONFIG: join(dir, 'kubeconfig'),
    REDIS_UPGRADER_ARTIFACT_MIRROR: `${fleet.downloadBaseUrl}/`,
    ...(caFile ? { REDIS_UPGRADER_ARTIFACT_MIRROR_CA: caFile } : {}),
    REDIS_UPGRADER_VIOLET: VIOLET_SHIM,
    REDIS_UPGRADER_LOG_LEVEL: options.logLevel,
    REDIS_UPGRADER_STAGE_POLL_SECONDS: '0.25',
    REDIS_UPGRADER_RETRY_SECONDS: '0.5',
    REDIS_UPGRADER_POLL_INTERVAL_MS: '100',
    REDIS_UPGRADER_POLL_CONCURRENCY: '4',
  });
}

class Interrupted extends UpgraderError {
  constructor() {
    super(
      'INTERRUPTED',
      'demo interrupted: stopped the runtime and the simulated fleet, removed the temporary files',
    );
  }
}

/** The demo's rollout: a canary, then waves of a quarter of the fleet, a short bake, one failure tolerated. */
export const DEMO_STRATEGY = {
  canary: 1,
  waveSize: '25%',
  bakeSeconds: 1,
  failureBudget: { maxFailed: 1 },
} as const;

async function follow(
  client: ApiClient,
  id: string,
  options: DemoOptions,
  startedAt: number,
): Promise<BatchViewReply> {
  const board = options.progress ? new RolloutBoard(options.progress, startedAt) : undefined;
  let stop = false;
  options.stopRequested.then(
    () => {
      stop = true;
    },
    () => undefined,
  );
  const deadline = startedAt + options.timeoutSeconds * 1000;
  // The runtime is in this process: a failed read is a real failure, not a restart to ride out.
  const batch = await pollUntil(
    () => client.getBatch(id),
    (view) => batchSettled(view) || stop || Date.now() > deadline,
    {
      intervalMs: POLL_MS,
      toleratedFailures: 0,
      ...(board ? { onUpdate: (view) => board.update(view) } : {}),
    },
  );
  if (batchSettled(batch)) return batch;
  if (stop) throw new Interrupted();
  throw new UpgraderError(
    'DEMO_TIMEOUT',
    `demo gave up after ${options.timeoutSeconds}s; the rollout is ${batch.state}: ${batch.reason}`,
  );
}

async function rolloutFleet(
  fleet: Fleet,
  runtime: LocalRuntime,
  config: Config,
  options: DemoOptions,
): Promise<DemoResult> {
  const client = new ApiClient({ baseUrl: runtime.url, token: config.apiToken });
  const names = fleet.clusterNames();
  for (const name of names) {
    await client.putCluster(name, { context: name, labels: fleet.cluster(name).sim.labels });
  }
  const startedAt = Date.now();
  const started = await client.startBatch({
    name: 'demo',
    targetVersion: options.targetVersion,
    clusters: names,
    strategy: DEMO_STRATEGY,
    ...(options.takeBackup ? { options: { takeBackup: true } } : {}),
  });
  if (!('batch' in started))
    throw new UpgraderError('DEMO_FAILED', 'the API rehearsed instead of starting the rollout');
  const { batch } = started;
  options.say(
    `registered ${names.length} clusters and started rollout ${batch.id} to ${options.targetVersion} in ${batch.waves.length} waves (canary 1, waves of 25%, bake 1s, 1 failure tolerated) through ${runtime.url}`,
  );
  const final = await follow(client, batch.id, options, startedAt);
  const jobs = (await client.listUpgrades({ batch: batch.id, limit: 1000 })).sort((a, b) =>
    a.cluster.localeCompare(b.cluster),
  );
  const gates: DemoGates = {
    backupMaxAgeSeconds: config.backupMaxAgeSeconds,
    takeBackup: options.takeBackup,
    minFreePercent: Math.min(config.headroom.minFreeCpuPercent, config.headroom.minFreeMemoryPercent),
  };
  const expected = (cluster: string): Expectation => expectedOutcome(fleet.cluster(cluster).spec, gates);
  const rows = summaryRows(jobs, expected);
  const finished = final.state === 'succeeded' || final.state === 'completed-with-failures';
  return {
    rows,
    waves: waveSummaries(final),
    batch: { id: final.id, state: final.state, reason: final.reason },
    elapsedMs: Date.now() - startedAt,
    ok: finished && rows.length === names.length && rows.every((row) => row.asExpected),
  };
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const dir = await mkdtemp(join(tmpdir(), 'redis-upgrader-demo-'));
  let fleet: Fleet | undefined;
  let runtime: LocalRuntime | undefined;
  try {
    fleet = await startFleet({
      scenario: options.scenario,
      ...(options.speed === undefined ? {} : { speed: options.speed }),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
    });
    const { caFile } = await fleet.writeKubeconfig(join(dir, 'kubeconfig'));
    const platforms = fleet.platforms
      .map((p) => `${p.name} ${p.url} (${p.clusters.length} clusters)`)
      .join(', ');
    options.say(`simulated fleet: ${platforms}; clock ${fleet.speed}x`);
    const config = runtimeConfig(dir, fleet, options, caFile);
    runtime = await startLocalRuntime(config);
    options.say(`local runtime: ${runtime.url}, data in ${config.dataDir} (temporary)`);
    return await rolloutFleet(fleet, runtime, config, options);
  } finally {
    await runtime?.stop();
    await fleet?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
