/**
 * The embedded local runtime (docs/architecture.md §3, §8): the same API and queue consumers that run on
 * Lambda, over local adapters (one SQLite file, artifacts on disk), with an HTTP server in place
 * of API Gateway and one poller per queue of the consumer table (#usecases/consumers.ts) in
 * place of the SQS event source mappings, each consumer built and limited as its row says. Job
 * events reach the notify consumer when they have receivers, and the end of a batch's job wakes
 * its rollout (#usecases/notifier.ts), as on AWS.
 *
 * Durable by construction: jobs and queue messages live in the database, so a runtime killed
 * mid-upgrade and started again continues every job from its last committed state (in-flight
 * messages reappear after their visibility timeout).
 */
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { DEFAULT_PUSH_GROUPS } from '#adapters/kube/violet-uploader.ts';
import { readCatalogFile } from '#adapters/local/catalog-file.ts';
import { fetchTrusting } from '#adapters/local/fetch-trusting.ts';
import { FileCatalogStore } from '#adapters/local/file-catalog-store.ts';
import { FileClusterRegistry } from '#adapters/local/file-cluster-registry.ts';
import { FsArtifactStore } from '#adapters/local/fs-artifact-store.ts';
import { HttpArtifactDownloader, readCaFile } from '#adapters/local/http-artifact-downloader.ts';
import { keptSecret } from '#adapters/local/kept-secret.ts';
import { SqliteBatchStore } from '#adapters/local/sqlite-batch-store.ts';
import { openDatabase } from '#adapters/local/sqlite-database.ts';
import { SqliteDeliveryStore } from '#adapters/local/sqlite-deliveries.ts';
import { SqliteJobStore } from '#adapters/local/sqlite-job-store.ts';
import { SqliteMessageQueue } from '#adapters/local/sqlite-message-queue.ts';
import { SqliteQueue } from '#adapters/local/sqlite-queue.ts';
import { SqliteReleaseLog } from '#adapters/local/sqlite-release-log.ts';
import { SqliteWaitHistory } from '#adapters/local/sqlite-wait-history.ts';
import { SqliteWebhookEndpoints, SqliteWebhookSecrets } from '#adapters/local/sqlite-webhook-endpoints.ts';
import { batchHandler, invocationDeadline, recordProcessor } from '#adapters/record-processor.ts';
import { HttpWebhookSender, type Resolver } from '#adapters/webhook-sender.ts';
import type { Catalog } from '#domain/catalog.ts';
import { STAGE_NAMES } from '#domain/job.ts';
import type { Config } from '#shared/config.ts';
import { makeApiHandler } from '#shared/http/api-handler.ts';
import { asLog, createLogger, type Logger } from '#shared/logger.ts';
import type { BatchStore, Clock, JobStore } from '#shared/ports.ts';
import { notifierFor, sendingOnlyTo } from '#usecases/consumer-deps.ts';
import { type ConsumerRow, QUEUE_NAMES, type RuntimePorts } from '#usecases/consumer-row.ts';
import { API, bindConsumer } from '#usecases/consumers.ts';
import { makeWaker, releasingEndedJobs } from '#usecases/wake-on-change.ts';
import { newSigningSecret } from '#usecases/webhook-secret.ts';
import { consoleSite } from './console-site.ts';
import { startHttpServer } from './http-server.ts';
import { type ClusterAccess, makeClusterAccess, pipelineConfigOf } from './local-stages.ts';
import { QueuePoller } from './queue-poller.ts';

export interface LocalRuntimeOptions {
  log?: Logger;
  clock?: Clock;
  /** Defaults to kubeconfig contexts (config.kubeconfigPath) and `violet push`. */
  clusterAccess?: Partial<ClusterAccess>;
  /** Defaults to the catalog file of config.catalogPath. */
  catalog?: Catalog;
  /** How webhook receivers' host names resolve (tests play a rebinding DNS); default: the system's. */
  resolve?: Resolver;
}

export interface LocalRuntime {
  /** Base URL of the API, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Stops the API, lets in-flight batches finish, closes the database. Idempotent. */
  stop(): Promise<void>;
  /** For status displays and tests: the job and batch stores and the raw queues (depth, dead letters). */
  jobs: JobStore;
  batches: BatchStore;
  queues: SqliteQueue;
}

const systemClock: Clock = { now: () => new Date() };

/** Where the callback signing secret is kept when REDIS_UPGRADER_CALLBACK_SECRET is unset. */
export const CALLBACK_SECRET_FILE = 'callback-secret';

/**
 * Batches in flight per queue. A handler of a row that gathers pushes (upload-package's) mostly
 * waits on its push, which gathers the platform's clusters into runs of up to
 * DEFAULT_PUSH_GROUPS.maxMembers, one at a time: enough of them are in flight to fill a run and
 * gather the next while it runs, else the runs stay small and many (300 clusters, own-process
 * simulator: 4.2 s -> 2.2 s in uploading on average).
 */
function concurrencyOf(row: ConsumerRow<object>, config: Config): number {
  if (!row.gathersPushes) return config.queue.pollConcurrency;
  const perRun = Math.ceil(DEFAULT_PUSH_GROUPS.maxMembers / config.queue.batchSize);
  return Math.max(config.queue.pollConcurrency, 2 * perRun);
}

function startPollers(config: Config, queues: SqliteQueue, ports: RuntimePorts, log: Logger): QueuePoller[] {
  return QUEUE_NAMES.map((name) => {
    const consumerLog = asLog(log.createChild({ persistentKeys: { component: 'consumer', queue: name } }));
    // Not a spread: that would read the catalog getter once, and no consumer would see a release.
    const consumerPorts: RuntimePorts = Object.create(ports, {
      log: { value: consumerLog, enumerable: true },
    });
    const consumer = bindConsumer(name, consumerPorts);
    const poller = new QueuePoller({
      queue: queues,
      queueName: name,
      // A batch of pushes gets the upload timeout in all, as a Lambda invocation does (invocationDeadline).
      handler: batchHandler(
        recordProcessor(consumer, { clock: ports.clock, log: consumerLog }),
        consumer.row.needs.violet ? { budgetMs: config.uploadTimeoutSeconds * 1000 } : {},
      ),
      batchSize: config.queue.batchSize,
      visibilityTimeoutSeconds: config.queue.visibilityTimeoutSeconds,
      concurrency: concurrencyOf(consumer.row, config),
      pollIntervalMs: config.queue.pollIntervalMs,
      // Within half the visibility timeout: the batch's first messages stay hidden while it fills.
      batchingWindowMs: consumer.row.gathersWakes
        ? Math.min(config.queue.rolloutWindowMs, config.queue.visibilityTimeoutSeconds * 500)
        : 0,
      logger: consumerLog,
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
  // The release webhook replaces the file and this holder; every reader goes through `current`.
  const catalogFile = new FileCatalogStore(
    config.catalogPath,
    options.catalog ?? (await readCatalogFile(config.catalogPath)),
  );
  const mirrorCa = config.artifactMirrorCaFile && (await readCaFile(config.artifactMirrorCaFile));
  const db: DatabaseSync = openDatabase(config.dataDir);
  const sender = new HttpWebhookSender({
    allow: config.outboundAllow,
    requireHttps: config.requireHttps,
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });
  try {
    const callbackSecret =
      config.callbackSecret ??
      (await keptSecret(join(config.dataDir, CALLBACK_SECRET_FILE), newSigningSecret));
    const batches = new SqliteBatchStore(db);
    const waitHistory = new SqliteWaitHistory(db);
    const queues = new SqliteQueue(db, { maxReceiveCount: config.queue.maxReceiveCount, clock });
    const queue = new SqliteMessageQueue(queues, QUEUE_NAMES);
    const clusters = await FileClusterRegistry.open(db, config.clustersFile);
    const access = makeClusterAccess(config, options.clusterAccess);
    const pipeline = pipelineConfigOf(config);
    const webhookStores = {
      webhookEndpoints: new SqliteWebhookEndpoints(db),
      webhookSecrets: new SqliteWebhookSecrets(db),
      deliveries: new SqliteDeliveryStore(db),
    };
    const waker = makeWaker({
      clusters,
      gateway: access.gateway,
      queue,
      clock,
      log: asLog(log.createChild({ persistentKeys: { component: 'waker' } })),
      maxWatches: config.queue.maxWatches,
    });
    // Not only a stage's commit ends a job: a cancel over the API or by its batch ends its watch too.
    const jobs = releasingEndedJobs(new SqliteJobStore(db), waker);
    const ports: RuntimePorts = {
      jobs,
      batches,
      clusters,
      queue,
      clock,
      log: asLog(log),
      get catalog() {
        return catalogFile.current;
      },
      gateway: access.gateway,
      uploader: access.uploader,
      artifacts: new FsArtifactStore(config.dataDir),
      downloader: new HttpArtifactDownloader({
        deadline: invocationDeadline,
        ...(config.artifactMirror ? { mirrorBaseUrl: config.artifactMirror } : {}),
        ...(mirrorCa ? { fetch: fetchTrusting(mirrorCa) } : {}),
      }),
      config: pipeline,
      ...webhookStores,
      webhookSender: sender,
      callbackSecret: async () => callbackSecret,
      waker,
      waitHistory,
    };
    const apiQueue = sendingOnlyTo(queue, API.sends, 'api');
    const api = makeApiHandler({
      jobs,
      batches,
      gateway: access.gateway,
      config: pipeline,
      queue: apiQueue,
      clusters,
      get catalog() {
        return catalogFile.current;
      },
      clock,
      waitHistory,
      notifier: notifierFor('api', API, ports, apiQueue),
      auth: { bearerToken: config.apiToken },
      log: asLog(log.createChild({ persistentKeys: { component: 'api' } })),
      maxBodyBytes: config.maxBodyBytes,
      outboundAllow: config.outboundAllow,
      idempotencyTtlSeconds: config.idempotencyTtlSeconds,
      requireHttps: config.requireHttps,
      webhooks: {
        ...webhookStores,
        queue: apiQueue,
        clock,
        outbound: { allow: config.outboundAllow, requireHttps: config.requireHttps },
        secretOverlapSeconds: config.secretOverlapSeconds,
      },
      releases: {
        releaseSecrets: async () => config.releaseSecrets,
        catalogStore: catalogFile,
        releaseLog: new SqliteReleaseLog(db, clock),
        clock,
        policies: config.rolloutPolicies,
      },
    });
    const server = await startHttpServer({
      host: config.host,
      port: config.port,
      handler: api,
      site: consoleSite(asLog(log)),
      maxBodyBytes: config.maxBodyBytes,
      log: asLog(log),
    });
    // The watches of waits the last run left are gone with it: each wait looks once now and
    // watches again, instead of sleeping until its safety net (ADR 0002).
    if (config.queue.maxWatches > 0) {
      const woken = queues.expediteDelayed(STAGE_NAMES);
      if (woken > 0) log.info('waits left by the last run look again', { waits: woken });
    }
    // Workers start only once the port is ours, so a failed start leaves nothing running.
    const pollers = startPollers(config, queues, ports, log);
    log.info('local runtime started', { url: server.url, dataDir: config.dataDir, queues: QUEUE_NAMES });
    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        await server.close();
        await Promise.all(pollers.map((poller) => poller.stop()));
        waker.close();
        await access.close();
        await sender.close();
        db.close();
        log.info('local runtime stopped');
      })();
      return stopping;
    };
    return { url: server.url, stop, jobs, batches, queues };
  } catch (error) {
    await sender.close();
    db.close();
    throw error;
  }
}

export type { ClusterAccess } from './local-stages.ts';
