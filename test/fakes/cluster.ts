import type {
  CapacityView,
  CsvView,
  InstallPlanView,
  PackageChannelView,
  PvcView,
  RedisBackupView,
  RedisInstanceView,
  SubscriptionView,
} from '#domain/cluster-views.ts';
import { ConflictError, NotFoundError } from '#domain/errors.ts';
import type { InstanceRef } from '#domain/redis-instance.ts';
import type { ClusterClient, ClusterGateway, ClusterRecord } from '#shared/ports.ts';

/** What one workload cluster holds, as the stage handlers see it. Tests mutate it directly. */
export interface FakeClusterState {
  subscription: SubscriptionView;
  csvs: CsvView[];
  platformVersion?: string;
  instances: RedisInstanceView[];
  backups: RedisBackupView[];
  capacity: CapacityView;
  pvcs: PvcView[];
  /** PackageManifest channel name -> CSV names the channel offers. */
  offered: Record<string, string[]>;
  /** PackageManifest channel name -> its head and the head's olm.skipRange, when a test sets one. */
  heads?: Record<string, { csv: string; skipRange?: string }>;
  /** ArtifactVersion name -> status.reason. */
  artifactVersions: Record<string, string>;
  installPlans: InstallPlanView[];
}

/** A change the handlers made to the cluster. Gates must leave this list empty. */
export interface ClusterWrite {
  op: 'patchSubscriptionChannel' | 'approveInstallPlan' | 'createRedisBackup';
  target: string;
}

type Method = keyof ClusterClient;

/**
 * An in-memory ClusterClient with the port's semantics: reads return copies, writes guarded by a
 * resourceVersion fail with ConflictError when it moved on, missing objects are NotFoundError.
 * `failNext` injects errors per method; the `on*` hooks let a test (or FakeOlm) react to writes.
 */
export class FakeCluster implements ClusterClient {
  readonly name: string;
  state: FakeClusterState;
  readonly writes: ClusterWrite[] = [];
  /** Calls per method, for asserting what was (not) read or done. */
  readonly calls: Partial<Record<Method, number>> = {};
  onApprove: ((plan: InstallPlanView) => void) | undefined;
  onChannelPatch: ((channel: string) => void) | undefined;
  onBackupCreated: ((backup: RedisBackupView) => void) | undefined;
  private readonly failures = new Map<Method, Error[]>();
  private resourceVersion = 100;

  constructor(name: string, state: FakeClusterState) {
    this.name = name;
    this.state = state;
  }

  failNext(method: Method, error: Error, times = 1): void {
    const queue = this.failures.get(method) ?? [];
    for (let i = 0; i < times; i++) queue.push(error);
    this.failures.set(method, queue);
  }

  /** A fresh resourceVersion, for tests and fakes that change an object. */
  bump(): string {
    this.resourceVersion += 1;
    return String(this.resourceVersion);
  }

  private enter(method: Method): void {
    this.calls[method] = (this.calls[method] ?? 0) + 1;
    const failure = this.failures.get(method)?.shift();
    if (failure) throw failure;
  }

  async readSubscription(): Promise<SubscriptionView> {
    this.enter('readSubscription');
    return structuredClone(this.state.subscription);
  }

  async readCsv(name: string): Promise<CsvView | undefined> {
    this.enter('readCsv');
    const csv = this.state.csvs.find((candidate) => candidate.name === name);
    return csv && structuredClone(csv);
  }

  async readPlatformVersion(): Promise<string | undefined> {
    this.enter('readPlatformVersion');
    return this.state.platformVersion;
  }

  async listRedisInstances(): Promise<RedisInstanceView[]> {
    this.enter('listRedisInstances');
    return structuredClone(this.state.instances);
  }

  async listRedisBackups(): Promise<RedisBackupView[]> {
    this.enter('listRedisBackups');
    return structuredClone(this.state.backups);
  }

  async createRedisBackup(instance: InstanceRef, name: string): Promise<RedisBackupView> {
    this.enter('createRedisBackup');
    const existing = this.state.backups.find((b) => b.namespace === instance.namespace && b.name === name);
    if (existing) return structuredClone(existing);
    const backup: RedisBackupView = {
      namespace: instance.namespace,
      name,
      instance: instance.name,
      condition: 'Running',
    };
    this.state.backups.push(backup);
    this.writes.push({ op: 'createRedisBackup', target: `${backup.namespace}/${backup.name}` });
    this.onBackupCreated?.(structuredClone(backup));
    return structuredClone(backup);
  }

  async readCapacity(): Promise<CapacityView> {
    this.enter('readCapacity');
    return structuredClone(this.state.capacity);
  }

  async listPvcs(): Promise<PvcView[]> {
    this.enter('listPvcs');
    return structuredClone(this.state.pvcs);
  }

  async readPackageChannel(_packageName: string, channel: string): Promise<PackageChannelView> {
    this.enter('readPackageChannel');
    const head = this.state.heads?.[channel];
    return { offered: [...(this.state.offered[channel] ?? [])], ...(head ? { head: { ...head } } : {}) };
  }

  async readArtifactVersionReason(name: string): Promise<string | undefined> {
    this.enter('readArtifactVersionReason');
    return this.state.artifactVersions[name];
  }

  async patchSubscriptionChannel(channel: string, resourceVersion?: string): Promise<void> {
    this.enter('patchSubscriptionChannel');
    const subscription = this.state.subscription;
    if (resourceVersion !== undefined && subscription.resourceVersion !== resourceVersion) {
      throw new ConflictError(
        `Subscription ${subscription.name} changed (resourceVersion ${subscription.resourceVersion})`,
        {
          code: 'CLUSTER_CONFLICT',
        },
      );
    }
    subscription.channel = channel;
    subscription.resourceVersion = this.bump();
    this.writes.push({ op: 'patchSubscriptionChannel', target: channel });
    this.onChannelPatch?.(channel);
  }

  async readInstallPlan(name: string, namespace: string): Promise<InstallPlanView | undefined> {
    this.enter('readInstallPlan');
    const plan = this.state.installPlans.find(
      (candidate) => candidate.name === name && candidate.namespace === namespace,
    );
    return plan && structuredClone(plan);
  }

  async listInstallPlans(namespace: string): Promise<InstallPlanView[]> {
    this.enter('listInstallPlans');
    return structuredClone(this.state.installPlans.filter((plan) => plan.namespace === namespace));
  }

  async approveInstallPlan(plan: InstallPlanView): Promise<void> {
    this.enter('approveInstallPlan');
    const stored = this.state.installPlans.find(
      (candidate) => candidate.name === plan.name && candidate.namespace === plan.namespace,
    );
    if (!stored) throw new NotFoundError(`InstallPlan ${plan.namespace}/${plan.name} not found`);
    if (stored.resourceVersion !== plan.resourceVersion) {
      throw new ConflictError(
        `InstallPlan ${plan.name} changed (resourceVersion ${stored.resourceVersion})`,
        {
          code: 'CLUSTER_CONFLICT',
        },
      );
    }
    stored.approved = true;
    stored.resourceVersion = this.bump();
    this.writes.push({ op: 'approveInstallPlan', target: `${plan.namespace}/${plan.name}` });
    this.onApprove?.(structuredClone(stored));
  }
}

/** Hands out the FakeCluster registered under each cluster name. */
export class FakeClusterGateway implements ClusterGateway {
  readonly clusters = new Map<string, FakeCluster>();

  add(cluster: FakeCluster): FakeCluster {
    this.clusters.set(cluster.name, cluster);
    return cluster;
  }

  async forCluster(record: ClusterRecord): Promise<FakeCluster> {
    const cluster = this.clusters.get(record.name);
    if (!cluster) throw new NotFoundError(`no fake cluster named ${record.name}`);
    return cluster;
  }
}
