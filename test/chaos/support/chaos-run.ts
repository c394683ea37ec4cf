/**
 * One chaos run: a simulated fleet and `redis-upgrader serve` as separate processes, an upgrade
 * of every cluster through two hops (3.16.2 > 4.0.3 > 4.1.2), one POST /upgrades per cluster or
 * one rollout of them all (`rollout`: a batch's strategy), with Kubernetes API faults on, the
 * server SIGKILLed at seeded random moments and started again on the same data dir, and a
 * platform outage. The report counts what an operator would check afterwards, on the
 * simulator's side: jobs that ended (and how), jobs lost, duplicate uploads and approvals,
 * clusters left on a version other than their plan.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import type { FaultConfig } from '#sim/api/faults.ts';
import { seededRandom } from '#sim/api/faults.ts';
import type { LedgerView } from '#sim/ledger.ts';
import type { OutageMode } from '#sim/outages.ts';
import { EXAMPLE_CATALOG_PATH } from '#sim/packages/example-packages.ts';
import { type ServeProcess, serveProcess } from './serve-process.ts';
import { type SimProcess, simProcess } from './sim-process.ts';

const VIOLET = resolve(import.meta.dirname, '../../../sim/bin/violet');
const TOKEN = 'chaos-api-token-0123456789abcdef';
const TARGET = '4.1.2';
const TARGET_CSV = `redis-operator.v${TARGET}`;
const HOPS = 2;
const TERMINAL = new Set(['succeeded', 'failed', 'blocked', 'cancelled']);

/** The API faults of the runs: 10% 500, 5% 429, 2% timeouts, 5% 409 on writes. */
export const API_FAULTS: FaultConfig = {
  error500Rate: 0.1,
  throttle429Rate: 0.05,
  retryAfterSeconds: 1,
  timeoutRate: 0.02,
  timeoutMs: 2000,
  conflict409Rate: 0.05,
};

export interface ChaosOptions {
  clusters: number;
  seed: number;
  /** SIGKILLs of serve, at seeded random moments within `killWindowSeconds` of the start. */
  kills: number;
  killWindowSeconds: number;
  /** A platform outage (the first platform: half the clusters and the package downloads). */
  outage?: { atSeconds: number; seconds: number; mode: OutageMode };
  faults?: FaultConfig;
  visibilityTimeoutSeconds: number;
  /** Simulated time per real second. */
  speed: number;
  /** Give up waiting for the jobs after this long. */
  timeoutSeconds: number;
  /** Keep the run's files (logs, data dir) here instead of a temporary dir that is removed. */
  keepDir?: string;
  /** Upgrade the clusters as one batch with this strategy (POST /batches) instead of a job each. */
  rollout?: Record<string, unknown>;
}

export interface ChaosReport {
  clusters: number;
  wallSeconds: number;
  states: Record<string, number>;
  /** Jobs created but not found, or not ended when the run gave up. */
  lost: string[];
  duplicateUploads: string[];
  duplicateApprovals: string[];
  /** Clusters whose installed CSV is not the target (ended jobs), with the job's end. */
  wrongVersion: string[];
  /** Jobs that did not succeed, with their reasons. */
  unsuccessful: { cluster: string; state: string; reason?: string }[];
  kills: number[];
  outage?: { atSeconds: number; seconds: number; mode: OutageMode };
  /** With `rollout`: the batch's end and the clusters with more than one job (started twice). */
  batch?: { state: string; reason: string; startedTwice: string[] };
}

interface JobSummary {
  id: string;
  cluster: string;
  state: string;
  reason?: string;
}

function scenario(options: ChaosOptions): object {
  return {
    seed: options.seed,
    speed: options.speed,
    clusters: { count: options.clusters, namePrefix: 'chaos-' },
    platforms: [
      { name: 'acp-east', token: 'chaos-east-token-0001' },
      { name: 'acp-west', token: 'chaos-west-token-0002' },
    ],
    defaults: {
      installedVersion: '3.16.2',
      channel: 'stable',
      platformVersion: '3.18.0',
      approval: 'Manual',
      instances: [{ kind: 'Redis' }, { kind: 'RedisFailover' }],
      backupAge: '1h',
      nodes: { count: 3, cpu: 16, memoryGi: 64 },
      headroom: 0.5,
      syncDelay: '15m',
      installTime: '2m',
      faults: options.faults ?? API_FAULTS,
    },
  };
}

async function api(serve: ServeProcess, method: string, path: string, body?: unknown, headers = {}) {
  const response = await fetch(`${serve.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

/** Retries while the server is down (being restarted): a client's view of a flapping API. */
async function persistently<T>(what: string, call: () => Promise<T>, deadline: number): Promise<T> {
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what}: ${(error as Error).message}`);
      await sleep(200);
    }
  }
}

async function startUpgrades(serve: ServeProcess, clusters: string[], deadline: number): Promise<void> {
  // The cluster name is the Idempotency-Key: a create retried across a restart starts one job.
  const create = async (cluster: string) => {
    const { status, body } = await persistently(
      `POST /upgrades ${cluster}`,
      () =>
        api(serve, 'POST', '/upgrades', { cluster, targetVersion: TARGET }, { 'idempotency-key': cluster }),
      deadline,
    );
    if (status !== 202) throw new Error(`POST /upgrades ${cluster}: ${status} ${JSON.stringify(body)}`);
  };
  for (let i = 0; i < clusters.length; i += 10) await Promise.all(clusters.slice(i, i + 10).map(create));
}

const BATCH_KEY = 'chaos-rollout';

async function startRollout(
  serve: ServeProcess,
  clusters: string[],
  strategy: Record<string, unknown>,
  deadline: number,
): Promise<string> {
  // One Idempotency-Key: a create retried across a restart starts one batch.
  const body = { targetVersion: TARGET, clusters, strategy, name: BATCH_KEY };
  const { status, body: reply } = await persistently(
    'POST /batches',
    () => api(serve, 'POST', '/batches', body, { 'idempotency-key': BATCH_KEY }),
    deadline,
  );
  if (status !== 202) throw new Error(`POST /batches: ${status} ${JSON.stringify(reply)}`);
  return (reply as { id: string }).id;
}

const BATCH_ENDS = new Set(['succeeded', 'completed-with-failures', 'halted', 'cancelled']);

/** The batch once it ends (its last wave is re-checked after its jobs end), or as it is after 30 s. */
async function batchEnd(serve: ServeProcess, id: string, jobs: JobSummary[]) {
  const deadline = Date.now() + 30_000;
  let batch: { state: string; reason: string };
  do {
    const { body } = await persistently(
      `GET /batches/${id}`,
      () => api(serve, 'GET', `/batches/${id}`),
      deadline,
    );
    batch = body as { state: string; reason: string };
    if (!BATCH_ENDS.has(batch.state)) await sleep(250);
  } while (!BATCH_ENDS.has(batch.state) && Date.now() < deadline);
  const { state, reason } = batch;
  const seen = new Map<string, number>();
  for (const job of jobs) seen.set(job.cluster, (seen.get(job.cluster) ?? 0) + 1);
  return { state, reason, startedTwice: [...seen].filter(([, n]) => n > 1).map(([cluster]) => cluster) };
}

async function listJobs(serve: ServeProcess): Promise<JobSummary[]> {
  const { status, body } = await api(serve, 'GET', '/upgrades?limit=1000');
  if (status !== 200) throw new Error(`GET /upgrades: ${status}`);
  return (body as { items: JobSummary[] }).items;
}

function killTimes(options: ChaosOptions): number[] {
  const random = seededRandom(options.seed);
  const times = Array.from(
    { length: options.kills },
    () => (0.1 + 0.8 * random()) * options.killWindowSeconds,
  );
  return times.sort((a, b) => a - b);
}

/** SIGKILLs serve at the given moments (seconds from `t0`) and starts it again at once. */
async function killAt(serve: ServeProcess, times: number[], t0: number, done: () => boolean): Promise<void> {
  for (const at of times) {
    const wait = t0 + at * 1000 - Date.now();
    if (wait > 0) await sleep(wait);
    if (done()) return;
    await serve.kill();
    await serve.start();
  }
}

function duplicates(ledger: LedgerView) {
  const uploads: string[] = [];
  const approvals: string[] = [];
  for (const [cluster, entry] of Object.entries(ledger.clusters)) {
    for (const [artifact, count] of Object.entries(entry.uploads))
      if (count > 1) uploads.push(`${cluster}: ${artifact} pushed ${count} times`);
    const plans = Object.entries(entry.approvals);
    for (const [plan, { count, csvs }] of plans)
      if (count > 1 || csvs.length !== 1)
        approvals.push(`${cluster}: ${plan} approved ${count} times (${csvs.join(', ')})`);
    if (plans.length > HOPS) approvals.push(`${cluster}: ${plans.length} plans approved for ${HOPS} hops`);
  }
  return { uploads, approvals };
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const dir = options.keepDir ?? (await mkdtemp(join(tmpdir(), 'redis-upgrader-chaos-')));
  await mkdir(dir, { recursive: true });
  const scenarioFile = join(dir, 'scenario.yaml');
  await writeFile(scenarioFile, stringify(scenario(options)));
  let sim: SimProcess | undefined;
  let serve: ServeProcess | undefined;
  try {
    sim = await simProcess({ scenarioFile, dir });
    const clusters = sim.platforms.flatMap((platform) => platform.clusters).sort();
    const clustersFile = join(dir, 'clusters.yaml');
    await writeFile(clustersFile, stringify({ clusters: clusters.map((name) => ({ name })) }));
    serve = await serveProcess({
      dataDir: join(dir, 'data'),
      token: TOKEN,
      logFile: join(dir, 'serve.log'),
      env: {
        REDIS_UPGRADER_KUBECONFIG: sim.kubeconfig,
        REDIS_UPGRADER_CLUSTERS_FILE: clustersFile,
        REDIS_UPGRADER_CATALOG: EXAMPLE_CATALOG_PATH,
        REDIS_UPGRADER_ARTIFACT_MIRROR: `${sim.downloadBaseUrl}/`,
        REDIS_UPGRADER_ARTIFACT_MIRROR_CA: sim.certificateAuthorityFile,
        REDIS_UPGRADER_VIOLET: VIOLET,
        REDIS_UPGRADER_LOG_LEVEL: 'WARN',
        REDIS_UPGRADER_POLL_INTERVAL_MS: '50',
        REDIS_UPGRADER_POLL_CONCURRENCY: '4',
        REDIS_UPGRADER_VISIBILITY_TIMEOUT_SECONDS: String(options.visibilityTimeoutSeconds),
        REDIS_UPGRADER_STAGE_POLL_SECONDS: '0.5',
        REDIS_UPGRADER_RETRY_SECONDS: '0.5',
        REDIS_UPGRADER_MAX_RETRY_SECONDS: '5',
      },
    });
    await serve.start();
    const t0 = Date.now();
    const deadline = t0 + options.timeoutSeconds * 1000;
    let finished = false;
    const kills = killTimes(options);
    // Failures of the chaos itself are kept and raised at the end, not left unhandled meanwhile.
    const troubles: unknown[] = [];
    const killing = killAt(serve, kills, t0, () => finished).catch((error) => troubles.push(error));
    const outage = options.outage;
    const outaged = outage
      ? sleep(outage.atSeconds * 1000)
          .then(() =>
            sim?.control.outage({ platform: 'acp-east', seconds: outage.seconds, mode: outage.mode }),
          )
          .catch((error) => troubles.push(error))
      : Promise.resolve();
    const batchId = options.rollout
      ? await startRollout(serve, clusters, options.rollout, deadline)
      : await startUpgrades(serve, clusters, deadline);
    let jobs: JobSummary[] = [];
    let wallSeconds = Number.NaN;
    while (Date.now() < deadline) {
      jobs = await listJobs(serve).catch(() => jobs);
      if (jobs.length === clusters.length && jobs.every((job) => TERMINAL.has(job.state))) {
        wallSeconds = (Date.now() - t0) / 1000;
        break;
      }
      await sleep(250);
    }
    finished = true;
    await Promise.all([killing, outaged]);
    if (troubles.length > 0) throw troubles[0];
    jobs = await persistently('GET /upgrades', () => listJobs(serve as ServeProcess), Date.now() + 30_000);
    const ledger = await sim.control.ledger();
    const { uploads, approvals } = duplicates(ledger);
    const byCluster = new Map(jobs.map((job) => [job.cluster, job]));
    const states: Record<string, number> = {};
    for (const job of jobs) states[job.state] = (states[job.state] ?? 0) + 1;
    return {
      clusters: clusters.length,
      wallSeconds,
      states,
      lost: clusters.filter((cluster) => !TERMINAL.has(byCluster.get(cluster)?.state ?? 'missing')),
      duplicateUploads: uploads,
      duplicateApprovals: approvals,
      wrongVersion: clusters
        .filter((cluster) => ledger.clusters[cluster]?.installedCSV !== TARGET_CSV)
        .map(
          (cluster) =>
            `${cluster}: ${ledger.clusters[cluster]?.installedCSV} (${byCluster.get(cluster)?.state})`,
        ),
      unsuccessful: jobs
        .filter((job) => job.state !== 'succeeded')
        .map((job) => ({
          cluster: job.cluster,
          state: job.state,
          ...(job.reason ? { reason: job.reason } : {}),
        })),
      kills,
      ...(outage ? { outage } : {}),
      ...(batchId ? { batch: await batchEnd(serve, batchId, jobs) } : {}),
    };
  } finally {
    await serve?.stop();
    await sim?.stop();
    if (!options.keepDir) await rm(dir, { recursive: true, force: true });
  }
}
