/**
 * ClusterClient over the Kubernetes REST API (kube-connections.ts; client-node's models as types
 * only): every read and write the stage handlers make on a workload cluster, reduced to the
 * narrow views in #domain/cluster-views.ts. Lists page through
 * `limit`/`continue` so clusters with thousands of objects are read completely.
 */
import type { V1Container, V1Node, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
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
import { ConflictError, NotFoundError, ValidationError } from '#domain/errors.ts';
import type { InstanceRef } from '#domain/redis-instance.ts';
import type { WakeCondition } from '#domain/wake-condition.ts';
import type { ClusterClient } from '#shared/ports.ts';
import { KubeConnections, type KubeRequest } from './kube-connections.ts';
import type { KubeEndpoint } from './kube-endpoint.ts';
import { callCluster, type RetryPolicy } from './kube-errors.ts';
import { bytes, cpuMillis } from './kube-quantity.ts';
import {
  ARTIFACT_VERSIONS,
  CSVS,
  type CustomResource,
  customPath,
  INSTALL_PLANS,
  PACKAGE_MANIFESTS,
  PRODUCT_BASES,
  REDIS_BACKUPS,
  REDIS_INSTANCE_KINDS,
  SUBSCRIPTIONS,
} from './kube-resources.ts';
import {
  INSTANCE_LABEL,
  instanceStatus,
  type KubeObject,
  toBackupView,
  toCsvView,
  toInstallPlanView,
  toPackageChannelView,
  toPvcView,
  toSubscriptionView,
} from './kube-views.ts';
import { watchedObject, watchUntil } from './kube-watch-until.ts';

export interface KubeClusterClientOptions {
  subscriptionNamespace: string;
  subscriptionName: string;
  /**
   * The platform CatalogSource's namespace (cpaas-system on ACP): OLM's package server serves a
   * catalog's PackageManifests in its CatalogSource's namespace, and violet creates ArtifactVersions there.
   */
  catalogNamespace: string;
  pageSize: number;
  retry: RetryPolicy;
}

interface ObjectList<T> {
  items: T[];
  metadata?: { continue?: string };
}

const MERGE_PATCH = 'application/merge-patch+json';
/** Pods that hold their resource requests: neither Succeeded nor Failed. */
const UNFINISHED_PODS = 'status.phase!=Succeeded,status.phase!=Failed';

export class KubeClusterClient implements ClusterClient {
  readonly #endpoint: KubeEndpoint;
  readonly #connections: KubeConnections;
  readonly #options: KubeClusterClientOptions;
  readonly #cluster: string;

  /**
   * `connections`: the pools this client's requests go through, shared by the clients of a
   * gateway (one pool per platform); a client of its own gets pools of its own.
   */
  constructor(
    cluster: string,
    endpoint: KubeEndpoint,
    options: KubeClusterClientOptions,
    connections = new KubeConnections({ requestTimeoutMs: options.retry.requestTimeoutMs }),
  ) {
    this.#cluster = cluster;
    this.#endpoint = endpoint;
    this.#connections = connections;
    this.#options = options;
  }

  #call<T>(what: string, request: KubeRequest): Promise<T> {
    return callCluster(
      `cluster ${this.#cluster}: ${what}`,
      () => this.#connections.request<T>(this.#endpoint, request),
      this.#options.retry,
    );
  }

  async #getOptional(
    resource: CustomResource,
    namespace: string,
    name: string,
  ): Promise<KubeObject | undefined> {
    try {
      return await this.#call<KubeObject>(`get ${resource.plural} ${namespace}/${name}`, {
        method: 'GET',
        path: customPath(resource, namespace, name),
      });
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  async #listAll<T>(what: string, path: string, fieldSelector?: string): Promise<T[]> {
    const items: T[] = [];
    let cont: string | undefined;
    do {
      const list = await this.#call<ObjectList<T>>(`list ${what}`, {
        method: 'GET',
        path,
        query: { limit: this.#options.pageSize, continue: cont, fieldSelector },
      });
      items.push(...list.items);
      cont = list.metadata?.continue || undefined;
    } while (cont);
    return items;
  }

  #listCustom(resource: CustomResource, namespace?: string): Promise<KubeObject[]> {
    return this.#listAll(resource.plural, customPath(resource, namespace));
  }

  async readSubscription(): Promise<SubscriptionView> {
    const { subscriptionNamespace: namespace, subscriptionName: name } = this.#options;
    const object = await this.#getOptional(SUBSCRIPTIONS, namespace, name);
    if (!object) {
      throw new NotFoundError(
        `cluster ${this.#cluster}: Subscription ${namespace}/${name} not found; is the Redis operator installed through OLM?`,
      );
    }
    return toSubscriptionView(object);
  }

  async readCsv(name: string): Promise<CsvView | undefined> {
    const object = await this.#getOptional(CSVS, this.#options.subscriptionNamespace, name);
    return object && toCsvView(object);
  }

  async readPlatformVersion(): Promise<string | undefined> {
    const bases = await this.#listCustom(PRODUCT_BASES);
    const version = bases
      .map((base) => (base.status as { version?: unknown } | undefined)?.version)
      .find(Boolean);
    return typeof version === 'string' ? version.replace(/^v/, '') : undefined;
  }

  async listRedisInstances(): Promise<RedisInstanceView[]> {
    const perKind = await Promise.all(
      REDIS_INSTANCE_KINDS.map(async (kind) => {
        const objects = await this.#listCustom(kind);
        return objects.map((object): RedisInstanceView => {
          const status = instanceStatus(kind, object);
          return {
            kind: kind.kind,
            namespace: object.metadata.namespace ?? '',
            name: object.metadata.name,
            healthy: status === kind.healthy,
            status,
          };
        });
      }),
    );
    return perKind.flat();
  }

  async listRedisBackups(): Promise<RedisBackupView[]> {
    return (await this.#listCustom(REDIS_BACKUPS)).map(toBackupView);
  }

  async createRedisBackup(instance: InstanceRef, name: string): Promise<RedisBackupView> {
    const body = {
      apiVersion: `${REDIS_BACKUPS.group}/${REDIS_BACKUPS.version}`,
      kind: 'RedisBackup',
      metadata: {
        name,
        namespace: instance.namespace,
        labels: { [INSTANCE_LABEL]: instance.name, 'redis-upgrader.io/reason': 'pre-upgrade' },
      },
      spec: { source: backupSource(instance) },
    };
    const what = `create RedisBackup ${instance.namespace}/${name}`;
    try {
      return toBackupView(
        await this.#call<KubeObject>(what, {
          method: 'POST',
          path: customPath(REDIS_BACKUPS, instance.namespace),
          body,
        }),
      );
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // AlreadyExists: an earlier create landed (its answer lost, or another copy of the message).
      const existing = await this.#getOptional(REDIS_BACKUPS, instance.namespace, name);
      const backup = existing && toBackupView(existing);
      if (backup?.instance !== instance.name) throw error;
      return backup;
    }
  }

  async readCapacity(): Promise<CapacityView> {
    const nodes = await this.#listAll<V1Node>('nodes', '/api/v1/nodes');
    // Finished pods no longer hold their requests (the scheduler ignores them too). The API server
    // leaves them out, as for `kubectl describe node`: where Jobs run, finished pods can outnumber
    // the others, and a cluster-wide pod list is already the largest read of an upgrade.
    const pods = await this.#listAll<V1Pod>('pods', '/api/v1/pods', UNFINISHED_PODS);
    const view: CapacityView = {
      cpuAllocatableMillis: 0,
      cpuRequestedMillis: 0,
      memoryAllocatableBytes: 0,
      memoryRequestedBytes: 0,
    };
    for (const node of nodes) {
      view.cpuAllocatableMillis += cpuMillis(node.status?.allocatable?.cpu);
      view.memoryAllocatableBytes += bytes(node.status?.allocatable?.memory);
    }
    for (const pod of pods) {
      view.cpuRequestedMillis += podRequest(pod, 'cpu', cpuMillis);
      view.memoryRequestedBytes += podRequest(pod, 'memory', bytes);
    }
    return view;
  }

  async listPvcs(): Promise<PvcView[]> {
    const pvcs = await this.#listAll<V1PersistentVolumeClaim>(
      'persistentvolumeclaims',
      '/api/v1/persistentvolumeclaims',
    );
    return pvcs.map((pvc) => toPvcView(pvc as KubeObject));
  }

  async readPackageChannel(packageName: string, channel: string): Promise<PackageChannelView> {
    const manifest = await this.#getOptional(PACKAGE_MANIFESTS, this.#options.catalogNamespace, packageName);
    return toPackageChannelView(manifest, channel);
  }

  async readArtifactVersionReason(name: string): Promise<string | undefined> {
    const object = await this.#getOptional(ARTIFACT_VERSIONS, this.#options.catalogNamespace, name);
    const reason = (object?.status as { reason?: unknown } | undefined)?.reason;
    return typeof reason === 'string' ? reason : undefined;
  }

  async patchSubscriptionChannel(channel: string, resourceVersion?: string): Promise<void> {
    const { subscriptionNamespace: namespace, subscriptionName: name } = this.#options;
    const body = { metadata: resourceVersion ? { resourceVersion } : {}, spec: { channel } };
    await this.#call(`patch Subscription ${namespace}/${name} channel`, {
      method: 'PATCH',
      path: customPath(SUBSCRIPTIONS, namespace, name),
      body,
      contentType: MERGE_PATCH,
    });
  }

  async readInstallPlan(name: string, namespace: string): Promise<InstallPlanView | undefined> {
    const object = await this.#getOptional(INSTALL_PLANS, namespace, name);
    return object && toInstallPlanView(object);
  }

  async listInstallPlans(namespace: string): Promise<InstallPlanView[]> {
    return (await this.#listCustom(INSTALL_PLANS, namespace)).map(toInstallPlanView);
  }

  async approveInstallPlan(plan: InstallPlanView): Promise<void> {
    if (!plan.resourceVersion) {
      throw new ValidationError(
        `cluster ${this.#cluster}: InstallPlan ${plan.namespace}/${plan.name} has no resourceVersion; read it before approving`,
      );
    }
    // The resourceVersion precondition makes the API server refuse (409) if the plan changed
    // since we checked it, so a plan that OLM merged or retargeted meanwhile is never approved.
    const body = { metadata: { resourceVersion: plan.resourceVersion }, spec: { approved: true } };
    await this.#call(`approve InstallPlan ${plan.namespace}/${plan.name}`, {
      method: 'PATCH',
      path: customPath(INSTALL_PLANS, plan.namespace, plan.name),
      body,
      contentType: MERGE_PATCH,
    });
  }

  /** Until the condition holds (kube-watch-until.ts). */
  watchUntil(condition: WakeCondition, signal: AbortSignal): Promise<void> {
    const { subscriptionNamespace, catalogNamespace } = this.#options;
    const watched = watchedObject(condition, { subscriptionNamespace, catalogNamespace });
    return watchUntil(this.#connections, this.#endpoint, `cluster ${this.#cluster}`, watched, signal);
  }
}

/** How the operator links a backup to its instance (DistributedRedisCluster backups say so in sourceType). */
function backupSource(instance: InstanceRef): Record<string, string> {
  if (instance.kind === 'RedisFailover') return { redisFailoverName: instance.name };
  if (instance.kind === 'DistributedRedisCluster') return { redisName: instance.name, sourceType: 'cluster' };
  return { redisName: instance.name };
}

/** What the scheduler reserves for a pod: its containers' sum (or its largest init container, if more) plus overhead. */
function podRequest(
  pod: V1Pod,
  resource: 'cpu' | 'memory',
  parse: (value: string | undefined) => number,
): number {
  const request = (container: V1Container) => parse(container.resources?.requests?.[resource]);
  const sum = (pod.spec?.containers ?? []).reduce((total, c) => total + request(c), 0);
  const init = Math.max(0, ...(pod.spec?.initContainers ?? []).map(request));
  return Math.max(sum, init) + parse(pod.spec?.overhead?.[resource]);
}
