/**
 * The consumer table: every queue, its message schema, the consumer that reads it, the queues
 * that consumer may send to, the resources it needs, its timeout class and how it is built. One
 * row per queue, read by everything that wires consumers:
 *
 * - the local runtime (shared/runtime/local-runtime.ts): one poller per row;
 * - the Lambda entries (functions/<name>/handler.ts): `consumerLambda(CONSUMERS.<name>, ...)`;
 * - the CDK stack (infra/stack.ts): per row a queue with its DLQ, a function, its event source,
 *   and exactly the environment and IAM grants that `sends` and `needs` call for;
 * - the test harness (test/fakes/pipeline.ts): the stages built from their rows over fakes.
 *
 * Every runtime hands a consumer only what its row declares (`consumerDeps`): a queue that
 * refuses sends to queues the row does not list, and only the needed ports. A wrong row fails
 * locally and in tests the way the missing grant would fail on AWS, and a factory that needs a
 * port its row does not declare does not compile. The table lives in the application layer
 * because its rows name use cases; it imports no adapter.
 *
 * Adding a queue (as the rollout's `{ batchId, reason, seq }` was): the message type and its
 * schema, the use case, a row here, and a ~10-line functions/<name>/handler.ts.
 */
import type * as z from 'zod';
import type { Catalog } from '#domain/catalog.ts';
import { ConfigError } from '#domain/errors.ts';
import { STAGE_NAMES, type StageName } from '#domain/job.ts';
import { jobEventSchema } from '#domain/job-event.ts';
import { type DeliveryMessage, deliveryMessageSchema } from '#domain/webhooks/delivery.ts';
import type {
  ArtifactDownloader,
  ArtifactStore,
  BatchStore,
  Clock,
  ClusterGateway,
  ClusterRegistry,
  EventLog,
  JobStore,
  Log,
  Metrics,
  Notifier,
  PackageUploader,
  Queue,
  RolloutMessage,
  StageMessage,
  Waker,
} from '#shared/ports.ts';
import { rolloutMessageSchema, stageMessageOn } from '#shared/queue-messages.ts';
import type {
  DeliveryStore,
  WebhookEndpointStore,
  WebhookSecretStore,
  WebhookSender,
} from '#shared/webhook-ports.ts';
import { makeCheckBackupStage } from '#usecases/check-backup.ts';
import { makeDeliverWebhook } from '#usecases/deliver-webhook.ts';
import { makeNotifier } from '#usecases/notifier.ts';
import { makeNotify } from '#usecases/notify.ts';
import { makePatchSubscriptionStage } from '#usecases/patch-subscription.ts';
import type { PipelineConfigInput } from '#usecases/pipeline-config.ts';
import { makeRollout } from '#usecases/rollout.ts';
import { makeUploadPackageStage } from '#usecases/upload-package.ts';
import { makeValidateStage } from '#usecases/validate.ts';
import { makeVerifyStage } from '#usecases/verify.ts';

/** Every queue; each has its row in CONSUMERS (the compiler holds the two to each other). */
export const QUEUE_NAMES = [...STAGE_NAMES, 'notify', 'rollout', 'webhook-delivery'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** What a consumer uses beyond its queue and the job table; each maps to ports and to AWS grants. */
export interface Needs {
  /** Reads the catalog: the catalog object in the bucket (AWS), the catalog file (local). */
  catalog?: true;
  /** Reaches clusters with kubeconfigs: Secrets Manager under the configured prefix (AWS). */
  kubeconfigs?: true;
  /** Keeps plugin packages: the bucket's artifacts/ prefix (AWS), the data dir (local). */
  artifacts?: 'read' | 'readWrite';
  /** Runs `violet push`: the violet layer and its path (AWS). */
  violet?: true;
  /**
   * Writes the event log (its retention on AWS): notify, and every row that emits job events
   * (sends to notify), whose notifier records them (#usecases/notifier.ts).
   */
  events?: true;
  /**
   * Reads the webhook endpoints: a row that emits job events, whose notifier sends to notify
   * only events some endpoint receives (webhookStore includes it). On AWS the endpoints are items
   * of the job table, which every function reads and writes: no grant of its own.
   */
  endpoints?: 'read';
  /** The stages' timing settings (poll, retry, deadlines) and the rollout's. */
  pipeline?: true;
  /** Reads and writes batches and their events (items of the job table on AWS). */
  batches?: true;
  /** Reads endpoints and writes deliveries (the job table on AWS). */
  webhookStore?: true;
  /** Signs and sends webhooks: endpoint and callback secrets (Secrets Manager on AWS), outbound rules. */
  webhookSigning?: true;
}

/**
 * How every queue delivers, on both runtimes unless configured otherwise: messages per delivered
 * batch (SQS allows at most 10), and receives before a message dead-letters.
 */
export const QUEUE_DELIVERY_DEFAULTS = { batchSize: 10, maxReceiveCount: 5 } as const;

/** 'upload' runs long and downloads packages: the upload timeout and a large /tmp on AWS. */
export type TimeoutClass = 'stage' | 'upload';

/** Ports every consumer gets. */
export interface CorePorts {
  jobs: JobStore;
  clusters: ClusterRegistry;
  queue: Queue;
  clock: Clock;
  log: Log;
  metrics?: Metrics;
  /** Spreads retry delays (default Math.random); tests pin it. */
  random?: () => number;
  /** Wakes watched waits early (the local runtime); without it waits only poll. */
  waker?: Waker;
}

/** Ports a consumer gets when its row needs them. */
export interface NeededPorts {
  catalog: Catalog;
  gateway: ClusterGateway;
  artifacts: ArtifactStore;
  downloader: ArtifactDownloader;
  uploader: PackageUploader;
  events: EventLog;
  config: PipelineConfigInput;
  batches: BatchStore;
  webhookEndpoints: WebhookEndpointStore;
  deliveries: DeliveryStore;
  webhookSecrets: WebhookSecretStore;
  webhookSender: WebhookSender;
  callbackSecret: () => Promise<string>;
}

const PORTS_OF_NEED = {
  catalog: ['catalog'],
  kubeconfigs: ['gateway'],
  artifacts: ['artifacts', 'downloader'],
  violet: ['uploader'],
  events: ['events'],
  endpoints: ['webhookEndpoints'],
  pipeline: ['config'],
  batches: ['batches'],
  webhookStore: ['webhookEndpoints', 'deliveries'],
  webhookSigning: ['webhookSecrets', 'webhookSender', 'callbackSecret'],
} as const satisfies Record<keyof Needs, readonly (keyof NeededPorts)[]>;

type PortsOf<N extends Needs> = (typeof PORTS_OF_NEED)[keyof N & keyof Needs][number];

/** What a row's factory receives: the core, its notifier, and the ports its needs name. */
export type ConsumerDeps<N extends Needs> = CorePorts & { notifier: Notifier } & Pick<
    NeededPorts,
    PortsOf<N>
  >;

/** Everything a runtime can offer; a consumer gets its share through `consumerDeps`. */
export type RuntimePorts = CorePorts & Partial<NeededPorts>;

/** Handles one message. A method type, so rows of different message types share one table. */
export type MessageHandler<M> = { handle(message: M): Promise<void> }['handle'];

export interface ConsumerRow<M, N extends Needs = Needs> {
  /** The queue's message schema; a body it refuses fails and, after the receive limit, dead-letters. */
  message: z.ZodType<M>;
  /** Where the consumer may send; its own queue too if it re-enqueues (waits, chained delays). */
  sends: readonly QueueName[];
  needs: N;
  timeout: TimeoutClass;
  /** Log attributes naming one message. */
  logKeys(message: M): Record<string, unknown>;
  make(deps: ConsumerDeps<N>): MessageHandler<M>;
}

function stageRow<const N extends Needs>(
  name: StageName,
  row: Omit<ConsumerRow<StageMessage, N>, 'message' | 'logKeys'>,
): ConsumerRow<StageMessage, N> {
  return {
    message: stageMessageOn(name),
    logKeys: ({ jobId, stage, hop, seq }) => ({ jobId, stage, hop, seq }),
    ...row,
  };
}

export const CONSUMERS = {
  validate: stageRow('validate', {
    sends: ['validate', 'check-backup', 'notify'],
    needs: { catalog: true, kubeconfigs: true, pipeline: true, events: true, endpoints: 'read' },
    timeout: 'stage',
    make: makeValidateStage,
  }),
  'check-backup': stageRow('check-backup', {
    sends: ['check-backup', 'upload-package', 'notify'],
    needs: { kubeconfigs: true, pipeline: true, events: true, endpoints: 'read' },
    timeout: 'stage',
    make: makeCheckBackupStage,
  }),
  'upload-package': stageRow('upload-package', {
    sends: ['upload-package', 'patch-subscription', 'notify'],
    needs: {
      catalog: true,
      kubeconfigs: true,
      artifacts: 'readWrite',
      violet: true,
      pipeline: true,
      events: true,
      endpoints: 'read',
    },
    timeout: 'upload',
    make: makeUploadPackageStage,
  }),
  'patch-subscription': stageRow('patch-subscription', {
    sends: ['patch-subscription', 'verify', 'notify'],
    needs: { catalog: true, kubeconfigs: true, pipeline: true, events: true, endpoints: 'read' },
    timeout: 'stage',
    make: makePatchSubscriptionStage,
  }),
  // A verified hop that is not the last goes back to upload for the next one.
  verify: stageRow('verify', {
    sends: ['verify', 'upload-package', 'notify'],
    needs: { kubeconfigs: true, pipeline: true, events: true, endpoints: 'read' },
    timeout: 'stage',
    make: makeVerifyStage,
  }),
  // The end of a batch's job wakes its rollout; one delivery message per receiver, so one slow
  // receiver never delays the others.
  notify: {
    message: jobEventSchema,
    sends: ['rollout', 'webhook-delivery'],
    needs: { events: true, webhookStore: true },
    timeout: 'stage',
    logKeys: ({ id, type, data }) => ({ eventId: id, type, jobId: data.jobId }),
    make: makeNotify,
  } satisfies ConsumerRow<z.output<typeof jobEventSchema>, { events: true; webhookStore: true }>,
  // Starts jobs as createUpgrade does (validate, its job events), cancels them (any stage), sets
  // its own timers, and fans the batch's events out to webhook receivers (one delivery message each).
  rollout: {
    message: rolloutMessageSchema,
    sends: [...STAGE_NAMES, 'notify', 'rollout', 'webhook-delivery'],
    needs: {
      catalog: true,
      kubeconfigs: true,
      pipeline: true,
      batches: true,
      webhookStore: true,
      events: true,
    },
    timeout: 'stage',
    logKeys: ({ batchId, reason, seq }) => ({ batchId, reason, seq }),
    make: makeRollout,
  } satisfies ConsumerRow<
    RolloutMessage,
    { catalog: true; kubeconfigs: true; pipeline: true; batches: true; webhookStore: true; events: true }
  >,
  // Retries are delayed messages on its own queue (beyond 15 minutes, chained by the SQS adapter).
  'webhook-delivery': {
    message: deliveryMessageSchema,
    sends: ['webhook-delivery'],
    needs: { webhookStore: true, webhookSigning: true },
    timeout: 'stage',
    logKeys: ({ deliveryId, attempt }) => ({ deliveryId, attempt }),
    make: makeDeliverWebhook,
  } satisfies ConsumerRow<DeliveryMessage, { webhookStore: true; webhookSigning: true }>,
} as const satisfies Record<QueueName, unknown>;

/**
 * The HTTP API is no queue consumer but sends and reads like one. Cancelling re-sends a job's
 * expected message to whichever stage the job is at, so it may send to every stage queue; a
 * batch's creation and commands wake its rollout; a rehearsal reads the clusters; a redelivery on
 * request sends a delivery's message.
 */
export const API = {
  sends: [...STAGE_NAMES, 'notify', 'rollout', 'webhook-delivery'],
  // kubeconfigs: a rehearsal and `GET /clusters?include=status` read each cluster's operator and instances.
  // events, endpoints: its job events (a job's creation, cancellation), through its notifier.
  needs: { catalog: true, kubeconfigs: true, batches: true, events: true, endpoints: 'read' },
} as const satisfies { sends: readonly QueueName[]; needs: Needs };

/** A queue that sends only to `allowed`, as `who`'s row (or grants, on AWS) permit. */
export function sendingOnlyTo(queue: Queue, allowed: readonly QueueName[], who: string): Queue {
  return {
    send: async (name, message, options) => {
      if (!(allowed as readonly string[]).includes(name)) {
        throw new ConfigError(
          `${who} may not send to the ${name} queue: its row in #usecases/consumers.ts does not list it`,
        );
      }
      await queue.send(name, message, options);
    },
  };
}

/**
 * The notifier of `name` (a consumer's row, or the API): recording in the event log, reading the
 * endpoints, sending to notify on `queue` (limited to the row's sends). A row that sends to
 * notify must need events and endpoints (a ConfigError otherwise, as a missing grant or the
 * event retention would be on AWS); any other row's notifier refuses to emit.
 */
export function notifierFor(
  name: string,
  row: { sends: readonly QueueName[]; needs: Needs },
  ports: Pick<RuntimePorts, 'events' | 'webhookEndpoints' | 'metrics'>,
  queue: Queue,
): Notifier {
  if (!row.sends.includes('notify')) {
    const refusal = new ConfigError(
      `${name} may not emit job events: its row in #usecases/consumers.ts does not send to the notify queue`,
    );
    return { emit: () => Promise.reject(refusal) };
  }
  const { events, webhookEndpoints, metrics } = ports;
  if (!(row.needs.events && (row.needs.endpoints || row.needs.webhookStore) && events && webhookEndpoints)) {
    throw new ConfigError(
      `${name} emits job events (it sends to notify): its row must need events and endpoints, and the runtime provide them`,
    );
  }
  return makeNotifier({ events, webhookEndpoints, queue, ...(metrics ? { metrics } : {}) });
}

/**
 * The ports `name`'s consumer gets from a runtime's `ports`: the core with its queue limited to
 * the row's `sends`, its notifier (notifierFor), and the needed ports (read through, so a runtime
 * may expose a reloading catalog by a getter). A needed port the runtime lacks is a ConfigError.
 */
export function consumerDeps<N extends Needs>(
  name: string,
  row: { sends: readonly QueueName[]; needs: N },
  ports: RuntimePorts,
): ConsumerDeps<N> {
  const queue = sendingOnlyTo(ports.queue, row.sends, name);
  const deps: Record<string, unknown> = {
    jobs: ports.jobs,
    clusters: ports.clusters,
    queue,
    clock: ports.clock,
    log: ports.log,
    ...(ports.metrics ? { metrics: ports.metrics } : {}),
    ...(ports.random ? { random: ports.random } : {}),
    ...(ports.waker ? { waker: ports.waker } : {}),
  };
  for (const need of Object.keys(row.needs) as (keyof Needs)[]) {
    for (const port of PORTS_OF_NEED[need]) {
      if (!(port in ports))
        throw new ConfigError(`${name} needs ${port}, which this runtime does not provide`);
      // Two needs may name one port (webhookStore and endpoints): define it once.
      if (!(port in deps)) Object.defineProperty(deps, port, { enumerable: true, get: () => ports[port] });
    }
  }
  // After the needs: a missing port is named as such before the notifier asks for it.
  deps.notifier = notifierFor(name, row, ports, queue);
  return deps as ConsumerDeps<N>;
}

/** A row made into its handler over a runtime's ports, with the queue it may use. */
export function bindConsumer(name: QueueName, ports: RuntimePorts) {
  const row: ConsumerRow<object> = CONSUMERS[name];
  const deps = consumerDeps(name, row, ports);
  return { name, row, queue: deps.queue, handle: row.make(deps) };
}
