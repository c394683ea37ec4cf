import type { Catalog } from '#domain/catalog.ts';
import type {
  BatchStore,
  ClusterGateway,
  ClusterRegistry,
  JobStore,
  Log,
  Queue,
  RolloutQueues,
  StageQueues,
  WaitHistory,
} from '#shared/ports.ts';
import type { CancelUpgradeDeps } from '#usecases/cancel-upgrade.ts';
import type { CreateUpgradeDeps } from '#usecases/create-upgrade.ts';
import type { FleetStatusOptions } from '#usecases/fleet-status.ts';
import type { PipelineConfigInput } from '#usecases/pipeline-config.ts';
import type { ReceiveReleaseDeps } from '#usecases/receive-release.ts';
import type { WebhookAdminDeps } from '#usecases/webhook-endpoints.ts';

/**
 * How callers prove who they are. Locally a bearer token; on AWS the API Gateway authorizer
 * (IAM or JWT) has already done it before the function runs.
 */
export type ApiAuth = { bearerToken: string } | { gatewayAuthorizer: true };

export interface ApiDeps extends CreateUpgradeDeps, CancelUpgradeDeps {
  jobs: JobStore;
  clusters: ClusterRegistry;
  /** Every stage's (a cancel re-sends a job's message), notify's through the notifier, the rollout's. */
  queue: Queue<StageQueues & RolloutQueues>;
  /** How the fleet's status is read and cached (defaults: FLEET_STATUS_DEFAULTS). */
  fleetStatus?: FleetStatusOptions;
  catalog: Catalog;
  auth: ApiAuth;
  log: Log;
  /** Request bodies above this many bytes are refused with 413. */
  maxBodyBytes: number;
  batches: BatchStore;
  /** Only ever reads: a rehearsal (`POST /batches` with `dryRun`) reads every target cluster, `GET /clusters?include=status` each cluster's operator and instances. */
  gateway: ClusterGateway;
  /** Gate settings a rehearsal applies as the stages would, and the rollout's estimates. */
  config?: PipelineConfigInput;
  /** Webhook endpoints, their secrets and deliveries. */
  webhooks: WebhookAdminDeps;
  /** Required here, so no runtime's API starts every upgrade without what earlier ones took. */
  waitHistory: Pick<WaitHistory, 'recent'>;
  /** The release webhook; absent where it is not set up (every release is then refused, 401). */
  releases?: ReceiveReleaseDeps;
}
