/**
 * The embedded local runtime (DESIGN.md 1, 3): the same API and stage handlers that run on
 * Lambda, over local adapters (one SQLite file, artifacts on disk), with an HTTP server in place
 * of API Gateway and one poller per stage queue in place of the SQS event source mappings.
 *
 * Durable by construction: jobs and queue messages live in the database, so a runtime killed
 * mid-upgrade and started again continues every job from its last committed state (in-flight
 * messages reappear after their visibility timeout).
 */
import type { DatabaseSync } from 'node:sqlite';
import { readCatalogFile } from '#adapters/local/catalog-file.ts';
import { FileClusterRegistry } from '#adapters/local/file-cluster-registry.ts';
import { FsArtifactStore } from '#adapters/local/fs-artifact-store.ts';
import { HttpArtifactDownloader } from '#adapters/local/http-artifact-downloader.ts';
import { openDatabase } from '#adapters/local/sqlite-database.ts';
import { SqliteEventLog } from '#adapters/local/sqlite-event-log.ts';
import { SqliteJobStore } from '#adapters/local/sqlite-job-store.ts';
import { SqliteQueue } from '#adapters/local/sqlite-queue.ts';
import { SqliteStageQueue, stageQueueName } from '#adapters/local/sqlite-stage-queue.ts';
import type { Catalog } from '#domain/catalog.ts';
import type { StageName } from '#domain/job.ts';
import type { Config } from '#shared/config.ts';
import { makeApiHandler } from '#shared/http/api-handler.ts';
import { asLog, createLogger, type Logger } from '#shared/logger.ts';
import type { Clock, JobStore } from '#shared/ports.ts';
import type { StageHandler } from '#usecases/stage-runner.ts';
import { startHttpServer } from './http-server.ts';
import { type ClusterAccess, makeClusterAccess, makeStages, pipelineConfigOf } from './local-stages.ts';
import { QueuePoller } from './queue-poller.ts';
import { makeStageBatchHandler } from './stage-batch-handler.ts';

export interface LocalRuntimeOptions {
  log?: Logger;
  clock?: Clock;
  /** Defaults to kubeconfig contexts (config.kubeconfigPath) and `violet push`. */
  clusterAccess?: Partial<ClusterAccess>;
  /** Defaults to the catalog file of config.catalogPath. */
  catalog?: Catalog;
}

export interface LocalRuntime {
  /** Base URL of the API, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Stops the API, lets in-flight batches finish, closes the database. Idempotent. */
  stop(): Promise<void>;
  /** For status displays and tests: the job store and the raw stage queues (depth, dead letters). */
  jobs: JobStore;
  queues: SqliteQueue;
}

const systemClock: Clock = { now: () => new Date() };

function startPollers(
  config: Config,
  queues: SqliteQueue,
  stages: Record<StageName, StageHandler>,
  log: Logger,
): QueuePoller[] {
  return (Object.entries(stages) as [StageName, StageHandler][]).map(([stage, handle]) => {
    const stageLog = asLog(log.createChild({ persistentKeys: { component: 'worker', stage } }));
    const poller = new QueuePoller({
      queue: queues,
      queueName: stageQueueName(stage),
      handler: makeStageBatchHandler(stage, handle, stageLog),
      batchSize: config.queue.batchSize,
      visibilityTimeoutSeconds: config.queue.visibilityTimeoutSeconds,
      concurrency: config.queue.pollConcurrency,
      pollIntervalMs: config.queue.pollIntervalMs,
      logger: stageLog,
    });
    poller.start();
    return poller;
  });
}

export async function startLocalRuntime(
  config: Config,
  options: LocalRuntimeOptions = {},
): Promise<LocalRuntime> {
  const log = options.log ?? createLogger({ level: config.logLevel, keys: { runtime: 'local' } });
  const clock = options.clock ?? systemClock;
  const catalog = options.catalog ?? (await readCatalogFile(config.catalogPath));
  const db: DatabaseSync = openDatabase(config.dataDir);
  try {
    const jobs = new SqliteJobStore(db);
    const queues = new SqliteQueue(db, { maxReceiveCount: config.queue.maxReceiveCount, clock });
    const queue = new SqliteStageQueue(queues);
    const notifier = new SqliteEventLog(db);
    const clusters = await FileClusterRegistry.open(db, config.clustersFile);
    const access = makeClusterAccess(config, options.clusterAccess);
    const stages = makeStages({
      jobs,
      queue,
      clusters,
      notifier,
      clock,
      catalog,
      gateway: access.gateway,
      uploader: access.uploader,
      artifacts: new FsArtifactStore(config.dataDir),
      downloader: new HttpArtifactDownloader(
        config.artifactMirror ? { mirrorBaseUrl: config.artifactMirror } : {},
      ),
      config: pipelineConfigOf(config),
      log,
    });
    const api = makeApiHandler({
      jobs,
      queue,
      clusters,
      catalog,
      clock,
      notifier,
      events: notifier,
      auth: { bearerToken: config.apiToken },
      log: asLog(log.createChild({ persistentKeys: { component: 'api' } })),
      maxBodyBytes: config.maxBodyBytes,
      outboundAllow: config.outboundAllow,
      idempotencyTtlSeconds: config.idempotencyTtlSeconds,
    });
    const server = await startHttpServer({
      host: config.host,
      port: config.port,
      handler: api,
      maxBodyBytes: config.maxBodyBytes,
      log: asLog(log),
    });
    // Workers start only once the port is ours, so a failed start leaves nothing running.
    const pollers = startPollers(config, queues, stages, log);
    log.info('local runtime started', {
      url: server.url,
      dataDir: config.dataDir,
      stages: Object.keys(stages),
    });
    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        await server.close();
        await Promise.all(pollers.map((poller) => poller.stop()));
        db.close();
        log.info('local runtime stopped');
      })();
      return stopping;
    };
    return { url: server.url, stop, jobs, queues };
  } catch (error) {
    db.close();
    throw error;
  }
}

export type { ClusterAccess } from './local-stages.ts';
