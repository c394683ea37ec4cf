/**
 * The vocabulary of the consumer table (#usecases/consumers.ts): the queues, what a row declares
 * (its needs, timeout class, sends) and the ports a runtime offers and a consumer gets. Apart
 * from the table, which names every use case, so that what reads only queue names or delivery
 * settings (configuration, the CDK constructs) does not load the use cases.
 */
import type * as z from 'zod';
import type { Catalog } from '#domain/catalog.ts';
import { STAGE_NAMES } from '#domain/job.ts';
import type {
  ArtifactDownloader,
  ArtifactStore,
  BatchStore,
  Clock,
  ClusterGateway,
  ClusterRegistry,
  JobStore,
  Log,
  Metrics,
  Notifier,
  PackageUploader,
  Queue,
  WaitHistory,
  Waker,
} from '#shared/ports.ts';
import type {
  DeliveryStore,
  WebhookEndpointStore,
  WebhookSecretStore,
  WebhookSender,
} from '#shared/webhook-ports.ts';
import type { PipelineConfigInput } from '#usecases/pipeline-config.ts';

/** Every queue; each has its row in CONSUMERS (#usecases/consumers.ts: the compiler holds them together). */
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
   * Reads the webhook endpoints: a row that emits job events (sends to notify and rollout), whose
   * notifier sends to notify only events some receiver takes (webhookStore includes it). On AWS
   * the endpoints are items of the job table, which every function reads and writes: no grant of
   * its own.
   */
  endpoints?: 'read';
  /** The stages' timing settings (poll, retry, deadlines) and the rollout's. */
  pipeline?: true;
  /** Reads and writes batches and their events (items of the job table on AWS). */
  batches?: true;
  /** Reads endpoints and writes deliveries (the job table on AWS, kept for the event retention). */
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
  /**
   * What earlier upgrades took per stage (#domain/wait-history.ts): the stages record it, job
   * starts read it. On AWS an item of the job table, which every function reads and writes.
   */
  waitHistory?: WaitHistory;
}

/** Ports a consumer gets when its row needs them. */
export interface NeededPorts {
  catalog: Catalog;
  gateway: ClusterGateway;
  artifacts: ArtifactStore;
  downloader: ArtifactDownloader;
  uploader: PackageUploader;
  config: PipelineConfigInput;
  batches: BatchStore;
  webhookEndpoints: WebhookEndpointStore;
  deliveries: DeliveryStore;
  webhookSecrets: WebhookSecretStore;
  webhookSender: WebhookSender;
  callbackSecret: () => Promise<string>;
}

/** The ports each need names; `consumerDeps` (#usecases/consumer-deps.ts) hands them over. */
export const PORTS_OF_NEED = {
  catalog: ['catalog'],
  kubeconfigs: ['gateway'],
  artifacts: ['artifacts', 'downloader'],
  violet: ['uploader'],
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
  /**
   * Its handlers mostly wait on pushes that join a platform's shared `violet push` runs, which
   * fill only while many of its messages are in flight: the local runtime runs more of its
   * batches at once, and on AWS its event source gathers batches for a window.
   */
  gathersPushes?: true;
  /**
   * Its messages of one subject handled together make one decision where one each made many
   * (the rollout: a burst of job ends, one batch write): its event source waits a window for a
   * fuller batch, on AWS and in the local runtime (#runtime/queue-poller.ts).
   */
  gathersWakes?: true;
  /** Log attributes naming one message. */
  logKeys(message: M): Record<string, unknown>;
  make(deps: ConsumerDeps<N>): MessageHandler<M>;
}
