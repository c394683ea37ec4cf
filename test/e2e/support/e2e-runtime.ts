/**
 * The local runtime as `serve` runs it (kubeconfig contexts, the violet shim, the fleet's package
 * downloads as artifact mirror, SQLite in a data dir), on waits scaled to the fast simulator, and
 * driven over its HTTP API.
 */
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { KubeClusterGateway } from '#adapters/kube/kube-cluster-gateway.ts';
import { kubeConfigFromFile } from '#adapters/kube/kube-config-file.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '#adapters/kube/kube-errors.ts';
import type { JobOptions } from '#domain/job.ts';
import { type LocalRuntime, startLocalRuntime } from '#runtime/local-runtime.ts';
import { type Config, loadConfig } from '#shared/config.ts';
import type { JobView } from '#shared/http/api-replies.ts';
import type { Clock } from '#shared/ports.ts';
import { EXAMPLE_CATALOG_PATH } from '#sim/packages/example-packages.ts';
import type { AnyJob } from '#test/fakes/jobs.ts';
import type { E2eFleet } from './e2e-fleet.ts';

export const VIOLET = resolve(import.meta.dirname, '../../../sim/bin/violet');
const TOKEN = 'e2e-api-token-0123456789abcdef';
const TERMINAL = new Set(['succeeded', 'failed', 'blocked', 'cancelled']);

export interface E2eRuntimeOptions {
  /** Reuse a data dir (a restart); default: a fresh one under the fleet's temp dir. */
  dataDir?: string;
  /** Every message sent to a stage queue is sent twice (at-least-once delivery at its worst). */
  duplicateEveryMessage?: boolean;
  /** The runtime's clock (default: the system's). */
  clock?: Clock;
  /** More REDIS_UPGRADER_* settings, e.g. a stage deadline. */
  env?: Record<string, string>;
  /**
   * The cluster calls' retry policy (default: the runtime's own, up to ~6 s of backoff on a
   * failing API): a test that stops the runtime while a cluster fails shortens it, since a stop
   * waits for the call in flight.
   */
  clusterRetry?: Partial<RetryPolicy>;
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

export interface E2eRuntime {
  runtime: LocalRuntime;
  url: string;
  token: string;
  dataDir: string;
  request(method: string, path: string, body?: unknown): Promise<ApiResponse>;
  /** PUT /clusters/{name} with the kubeconfig context of the same name. */
  register(cluster: string): Promise<void>;
  /** POST /upgrades; throws unless 202. */
  upgrade(cluster: string, targetVersion: string, options?: JobOptions): Promise<JobView>;
  waitFor(id: string, done: (job: AnyJob) => boolean, timeoutMs?: number): Promise<AnyJob>;
  /** Waits for a terminal state. */
  finished(id: string, timeoutMs?: number): Promise<AnyJob>;
  stop(): Promise<void>;
  /** Messages sent a second time (with duplicateEveryMessage). */
  duplicatedMessages(): number;
}

function e2eConfig(fleet: E2eFleet, dataDir: string, env: Record<string, string> = {}): Config {
  const config = loadConfig({
    REDIS_UPGRADER_DATA_DIR: dataDir,
    REDIS_UPGRADER_PORT: '0',
    REDIS_UPGRADER_API_TOKEN: TOKEN,
    REDIS_UPGRADER_CATALOG: EXAMPLE_CATALOG_PATH,
    REDIS_UPGRADER_KUBECONFIG: fleet.kubeconfigPath,
    REDIS_UPGRADER_ARTIFACT_MIRROR: `${fleet.fleet.downloadBaseUrl}/`,
    REDIS_UPGRADER_ARTIFACT_MIRROR_CA: fleet.caFile,
    REDIS_UPGRADER_VIOLET: VIOLET,
    REDIS_UPGRADER_LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'SILENT',
    // Only a backstop: a send or expedite in this process wakes an idle poller, and it sleeps until
    // its queue's next due message. At 20 ms the pollers cost an idle runtime 15% of a core, at 100 3%.
    REDIS_UPGRADER_POLL_INTERVAL_MS: '100',
    REDIS_UPGRADER_POLL_CONCURRENCY: '4',
    REDIS_UPGRADER_VISIBILITY_TIMEOUT_SECONDS: '5',
    ...env,
  });
  // Sub-second re-enqueue delays (the environment takes whole seconds): the simulator's clock
  // runs thousands of times faster than real ACP, so the pipeline's waits shrink with it.
  return { ...config, stagePollSeconds: 0.1, retrySeconds: 0.2 };
}

export async function startE2eRuntime(fleet: E2eFleet, options: E2eRuntimeOptions = {}): Promise<E2eRuntime> {
  const dataDir = options.dataDir ?? join(fleet.dir, `data-${randomUUID()}`);
  const config = e2eConfig(fleet, dataDir, options.env);
  const retry = options.clusterRetry && { ...DEFAULT_RETRY_POLICY, ...options.clusterRetry };
  const gateway = retry && new KubeClusterGateway(kubeConfigFromFile(config.kubeconfigPath), { retry });
  const runtime = await startLocalRuntime(config, {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(gateway ? { clusterAccess: { gateway } } : {}),
  });
  let duplicated = 0;
  if (options.duplicateEveryMessage) {
    const send = runtime.queues.send.bind(runtime.queues);
    runtime.queues.send = (queue, body, sendOptions) => {
      send(queue, body, sendOptions);
      duplicated += 1;
      return send(queue, body, sendOptions);
    };
  }
  const request = async (method: string, path: string, body?: unknown): Promise<ApiResponse> => {
    const response = await fetch(`${runtime.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: await response.json() };
  };
  const waitFor = async (id: string, done: (job: AnyJob) => boolean, timeoutMs = 20_000): Promise<AnyJob> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job: AnyJob | undefined = await runtime.jobs.get(id);
      if (job && done(job)) return job;
      if (Date.now() > deadline) {
        throw new Error(`job ${id} is still ${job?.state} (${job?.step?.waitingFor ?? job?.reason ?? ''})`);
      }
      await new Promise((wake) => setTimeout(wake, 25));
    }
  };
  return {
    runtime,
    url: runtime.url,
    token: TOKEN,
    dataDir,
    request,
    async register(cluster) {
      const { status, body } = await request('PUT', `/clusters/${cluster}`, { context: cluster });
      if (status !== 200 && status !== 201)
        throw new Error(`PUT /clusters/${cluster}: ${status} ${JSON.stringify(body)}`);
    },
    async upgrade(cluster, targetVersion, jobOptions) {
      const { status, body } = await request('POST', '/upgrades', {
        cluster,
        targetVersion,
        ...(jobOptions ? { options: jobOptions } : {}),
      });
      if (status !== 202) throw new Error(`POST /upgrades: ${status} ${JSON.stringify(body)}`);
      return body as JobView;
    },
    waitFor,
    finished: (id, timeoutMs) => waitFor(id, (job) => TERMINAL.has(job.state), timeoutMs),
    stop: () => runtime.stop(),
    duplicatedMessages: () => duplicated,
  };
}
