import type { Catalog } from '#domain/catalog.ts';
import { type ActiveState, isActiveJob, type Job, STAGE_NAMES, type StageName } from '#domain/job.ts';
import type { JobEvent } from '#domain/job-event.ts';
import { expectedMessage } from '#domain/job-messages.ts';
import { instanceRef } from '#domain/redis-instance.ts';
import type { BatchRequest } from '#domain/rollout/batch-request.ts';
import type { BatchCommand } from '#domain/rollout/rollout-commands.ts';
import type { ClusterRecord, Waker } from '#shared/ports.ts';
import { FakeArtifactDownloader, InMemoryArtifactStore } from '#test/fakes/artifacts.ts';
import { InMemoryBatchStore } from '#test/fakes/batch-store.ts';
import { serveCatalog, testCatalog } from '#test/fakes/catalog.ts';
import { FakeClock } from '#test/fakes/clock.ts';
import { FakeCluster, FakeClusterGateway } from '#test/fakes/cluster.ts';
import { InMemoryClusterRegistry } from '#test/fakes/cluster-registry.ts';
import { type HealthyClusterOptions, healthyClusterState } from '#test/fakes/cluster-state.ts';
import { InMemoryJobStore } from '#test/fakes/job-store.ts';
import { type AnyJob, type JobAtOptions, jobAt } from '#test/fakes/jobs.ts';
import { RecordingLog } from '#test/fakes/log.ts';
import { RecordingNotifier } from '#test/fakes/notifier.ts';
import { FakeOlm } from '#test/fakes/olm.ts';
import { FakePackageUploader } from '#test/fakes/package-uploader.ts';
import { type DrainOptions, FakeQueue, type StageHandlers } from '#test/fakes/queue.ts';
import { InMemoryWaitHistory } from '#test/fakes/wait-history.ts';
import { webhookPorts } from '#test/fakes/webhooks.ts';
import { commandBatch } from '#usecases/batch-commands.ts';
import { type CancelUpgradeInput, cancelUpgrade } from '#usecases/cancel-upgrade.ts';
import { consumerDeps, notifierFor, sendingOnlyTo } from '#usecases/consumer-deps.ts';
import type { ConsumerRow, QueueName, RuntimePorts } from '#usecases/consumer-row.ts';
import { API, CONSUMERS } from '#usecases/consumers.ts';
import { createBatch } from '#usecases/create-batch.ts';
import { type CreateUpgradeInput, createUpgrade } from '#usecases/create-upgrade.ts';
import { type PipelineConfigInput, resolvePipelineConfig } from '#usecases/pipeline-config.ts';
import { releasingEndedJobs } from '#usecases/wake-on-change.ts';

export interface PipelineOptions {
  catalog?: Catalog;
  config?: PipelineConfigInput;
  start?: string;
  /** Where the stages' watched waits go (the local runtime's Waker); none: waits only poll. */
  waker?: Waker;
}

export interface AddedCluster {
  cluster: FakeCluster;
  olm: FakeOlm;
}

/**
 * Every port faked and every stage (and the rollout) built from its row of the consumer table,
 * limited as the runtimes limit it (only the queues and ports its row names): a test adds
 * clusters, creates upgrades or batches and drains the queue on a fake clock. Every job event,
 * the stages' and the API's, is recorded by `notifier` as it is emitted, then goes through the
 * real notifier of its row; what that sends to the notify queue is handed at once to the real
 * notify consumer, which wakes a batch's rollout when one of its jobs ends.
 */
export function createPipeline(options: PipelineOptions = {}) {
  const clock = new FakeClock(options.start);
  const catalog = options.catalog ?? testCatalog();
  const jobs = new InMemoryJobStore();
  const batches = new InMemoryBatchStore();
  let notify: ((event: JobEvent) => Promise<void>) | undefined;
  const queue = new FakeQueue(clock, { notify: async (event: JobEvent) => notify?.(event) });
  const clusters = new InMemoryClusterRegistry();
  const gateway = new FakeClusterGateway();
  const log = new RecordingLog();
  const artifacts = new InMemoryArtifactStore();
  const downloader = new FakeArtifactDownloader();
  const uploader = new FakePackageUploader();
  const olms = new Map<string, FakeOlm>();
  // As in both runtimes: a succeeded job's stage times time the first looks of the jobs after it.
  const waitHistory = new InMemoryWaitHistory();
  const webhooks = webhookPorts();
  serveCatalog(downloader, catalog);
  uploader.onPush = (push) => olms.get(push.cluster)?.pushed(push.file);

  const ports: RuntimePorts = {
    // As the local runtime composes them: a job's end, however it came, ends its watch.
    jobs: options.waker ? releasingEndedJobs(jobs, options.waker) : jobs,
    batches,
    queue,
    clusters,
    clock,
    log,
    // Retry delays exactly on their schedule (no spread), so tests can name them.
    random: () => 0.5,
    catalog,
    gateway,
    artifacts,
    downloader,
    uploader,
    config: options.config ?? {},
    ...(options.waker ? { waker: options.waker } : {}),
    waitHistory,
    // Notify and the rollout fan events out to webhook receivers; a test registers any it wants.
    ...webhooks,
  };
  const apiQueue = sendingOnlyTo(queue, API.sends, 'api');
  const notifier = new RecordingNotifier(notifierFor('api', API, ports, apiQueue));
  /** A consumer built as bindConsumer builds it, its notifier watched by `notifier`. */
  const handlerOf = (name: QueueName) => {
    const row: ConsumerRow<object> = CONSUMERS[name];
    const deps = consumerDeps(name, row, ports);
    return row.make({ ...deps, notifier: notifier.around(deps.notifier) });
  };
  const stages: StageHandlers = Object.fromEntries(
    [...STAGE_NAMES, 'rollout' as const].map((name) => [name, handlerOf(name)]),
  );
  notify = handlerOf('notify');
  const apiDeps = {
    jobs: ports.jobs,
    batches,
    queue: apiQueue,
    clusters,
    catalog,
    clock,
    notifier,
    log,
    gateway,
    waitHistory,
  };

  async function addCluster(
    name: string,
    state: Omit<HealthyClusterOptions, 'now'>,
    record: Partial<ClusterRecord> = {},
  ): Promise<AddedCluster> {
    await clusters.put({ name, labels: {}, ...record });
    const cluster = gateway.add(new FakeCluster(name, healthyClusterState({ ...state, now: clock.now() })));
    const olm = new FakeOlm(cluster, catalog);
    olms.set(name, olm);
    return { cluster, olm };
  }

  async function job(id: string): Promise<AnyJob> {
    const found = await jobs.get(id);
    if (!found) throw new Error(`no job ${id}`);
    return found;
  }

  /** Stores `job` as is and sends its expected message, like the stage before it would have. */
  async function seed(seeded: Job): Promise<void> {
    jobs.seed(seeded);
    if (isActiveJob(seeded))
      await queue.send(seeded.expected.stage, expectedMessage(seeded, `seed-${seeded.version}`));
  }

  return {
    clock,
    catalog,
    jobs,
    batches,
    queue,
    clusters,
    gateway,
    notifier,
    log,
    webhooks,
    waitHistory,
    artifacts,
    downloader,
    uploader,
    stages,
    addCluster,
    job,
    create: (input: CreateUpgradeInput): Promise<{ job: AnyJob; created: boolean }> =>
      createUpgrade(
        { jobs: ports.jobs, queue: apiQueue, clusters, catalog, clock, notifier, log, waitHistory },
        input,
      ),
    cancel: (input: CancelUpgradeInput): Promise<AnyJob> =>
      cancelUpgrade({ jobs: ports.jobs, queue: apiQueue, clock, notifier, log }, input),
    /** POST /batches, as the API does it (the request as its schema parsed it). */
    createBatch: (request: BatchRequest, idempotencyKey?: string) =>
      createBatch(
        { ...apiDeps, config: resolvePipelineConfig(options.config) },
        { request, ...(idempotencyKey ? { idempotencyKey } : {}) },
      ),
    command: (batchId: string, command: BatchCommand) => commandBatch(apiDeps, { batchId, command }),
    run: (drain: DrainOptions = {}) => queue.drain(stages, drain),
    /** Delivers the next message only (advancing the clock to it); returns what was delivered. */
    deliverNext: async (copies = 1) => {
      const queued = queue.take();
      if (!queued) throw new Error('queue is empty');
      const handler = stages[queued.queue as StageName];
      if (!handler) throw new Error(`no handler for the ${queued.queue} queue`);
      for (let copy = 0; copy < copies; copy++) await handler(structuredClone(queued.message));
      return queued;
    },
    seed,
    /** A job brought to `state` through the real transitions on this pipeline's catalog and clock, seeded. */
    seedAt: async (state: ActiveState, input: Omit<JobAtOptions, 'catalog' | 'at'>): Promise<Job> => {
      // What validate would have recorded: the cluster's instances when the job was planned.
      const found = gateway.clusters.get(input.cluster)?.state.instances.map(instanceRef) ?? [];
      const seeded = jobAt(state, { instances: found, ...input, catalog, at: clock.now() });
      await seed(seeded);
      return seeded;
    },
  };
}

export type Pipeline = ReturnType<typeof createPipeline>;
