import { quantityToScalar } from '@kubernetes/client-node/dist/util.js';
import { describe, expect, it } from 'vitest';
import { toBackupView, toPvcView, toSubscriptionView } from '#adapters/kube/kube-views.ts';
import { instancePvcNames } from '#sim/controllers/redis-objects.ts';
import {
  ARTIFACT_VERSION,
  apiVersionOf,
  CONFIG_MAP,
  CSV,
  DISTRIBUTED_REDIS_CLUSTER,
  INSTALL_PLAN,
  NODE,
  PACKAGE_MANIFEST,
  POD,
  PRODUCT_BASE,
  PRODUCT_BASE_V1ALPHA1,
  PVC,
  REDIS,
  REDIS_BACKUP,
  REDIS_FAILOVER,
  REDIS_SENTINEL,
  RESOURCE_TYPES,
  type ResourceType,
  SUBSCRIPTION,
} from '#sim/resource-types.ts';
import { seedCluster } from '#sim/seed-cluster.ts';
import { ClusterStore, type KubeObject } from '#sim/store/cluster-store.ts';
import { applySchema } from '#sim/store/schema-validation.ts';
import { clusterSpec, offeredCsvs, subStatus } from '#test/sim/controllers/controller-fixture.ts';

interface Written {
  t: ResourceType;
  namespace: string | undefined;
  name: string;
  intended: Record<string, unknown>;
}

/** Records what seeding asked the store to write, so it can be compared with what the store kept. */
function recordingStore(): { store: ClusterStore; written: Map<string, Written> } {
  const store = new ClusterStore('seed');
  const written = new Map<string, Written>();
  const remember = (t: ResourceType, obj: KubeObject, fields: string[]) => {
    const key = `${t.plural}/${obj.metadata.namespace}/${obj.metadata.name}`;
    const entry = written.get(key) ?? {
      t,
      namespace: obj.metadata.namespace,
      name: obj.metadata.name,
      intended: {},
    };
    for (const field of fields)
      if (obj[field] !== undefined) entry.intended[field] = structuredClone(obj[field]);
    if (fields.includes('spec')) entry.intended.labels = structuredClone(obj.metadata.labels);
    written.set(key, entry);
  };
  const create = store.create.bind(store);
  const updateStatus = store.updateStatus.bind(store);
  store.create = (t, obj, options) => {
    const created = create(t, obj, options);
    const named = { ...obj, metadata: { ...obj.metadata, name: created.metadata.name } };
    remember(t, named, ['spec', 'data', 'status']);
    return created;
  };
  store.updateStatus = (t, obj) => {
    remember(t, obj, ['status']);
    return updateStatus(t, obj);
  };
  return { store, written };
}

/** Every leaf of `part` is present and equal in `whole` (the apiserver may add defaults, never drop). */
function missingLeaves(part: unknown, whole: unknown, path = ''): string[] {
  if (Array.isArray(part)) {
    if (!Array.isArray(whole) || whole.length !== part.length) return [path];
    return part.flatMap((item, i) => missingLeaves(item, whole[i], `${path}[${i}]`));
  }
  if (part !== null && typeof part === 'object') {
    if (whole === null || typeof whole !== 'object') return [path];
    return Object.entries(part).flatMap(([k, v]) =>
      missingLeaves(v, (whole as Record<string, unknown>)[k], `${path}.${k}`),
    );
  }
  return part === whole ? [] : [path];
}

function requested(pods: KubeObject[], resource: 'cpu' | 'memory'): number {
  let sum = 0;
  for (const pod of pods) {
    const containers = (pod.spec as { containers: { resources: { requests: Record<string, string> } }[] })
      .containers;
    for (const c of containers) sum += Number(quantityToScalar(c.resources.requests[resource] as string));
  }
  return sum;
}

describe('seedCluster', () => {
  it('writes only objects the real CRD schemas accept, and the store keeps every field it was given', () => {
    // Prepare
    const { store, written } = recordingStore();
    const spec = clusterSpec({ traps: { mergedPlan: true }, pvcsPending: ['redis-data-drc-orders-0-1'] });

    // Act
    seedCluster(store, spec);

    // Assess
    const pruned = [...written.values()].flatMap((w) => {
      const stored = store.get(w.t, w.namespace, w.name) as KubeObject;
      const kept = {
        spec: stored.spec,
        data: stored.data,
        status: stored.status,
        labels: stored.metadata.labels,
      };
      return missingLeaves(w.intended, kept).map((path) => `${w.t.kind} ${w.name}${path}`);
    });
    expect(pruned).toEqual([]);
    const validatedKinds = new Set([...written.values()].filter((w) => w.t.schema).map((w) => w.t.kind));
    expect([...validatedKinds].sort()).toEqual(
      [
        'Artifact',
        'ArtifactVersion',
        'CatalogSource',
        'ClusterServiceVersion',
        'DistributedRedisCluster',
        'InstallPlan',
        'OperatorGroup',
        'PackageManifest',
        'ProductBase',
        'Redis',
        'RedisBackup',
        'RedisFailover',
        'RedisSentinel',
        'Subscription',
      ].sort(),
    );
    expect(RESOURCE_TYPES.length).toBeGreaterThan(0);
  });

  it('installs the operator through OLM and offers only what is installed', () => {
    // Prepare
    const store = new ClusterStore('seed');

    // Act
    seedCluster(store, clusterSpec({ approval: 'Automatic' }));

    // Assess
    const view = toSubscriptionView(store.get(SUBSCRIPTION, 'redis-system', 'redis-operator') as never);
    expect(view).toMatchObject({
      channel: 'stable',
      approval: 'Automatic',
      installedCSV: 'redis-operator.v3.16.2',
      currentCSV: 'redis-operator.v3.16.2',
      state: 'AtLatestKnown',
    });
    expect(subStatus(store).conditions).toEqual([
      expect.objectContaining({ type: 'CatalogSourcesUnhealthy', status: 'False' }),
    ]);
    const installPlan = store.get(INSTALL_PLAN, 'redis-system', view.installPlanRef?.name as string);
    expect(installPlan?.status).toMatchObject({ phase: 'Complete' });
    expect(store.get(CSV, 'redis-system', 'redis-operator.v3.16.2')?.status).toMatchObject({
      phase: 'Succeeded',
    });
    expect(offeredCsvs(store)).toEqual(['redis-operator.v3.16.2']);
    const manifest = store.get(PACKAGE_MANIFEST, 'cpaas-system', 'redis-operator');
    expect(manifest?.status).toMatchObject({
      catalogSource: 'platform',
      packageName: 'redis-operator',
      defaultChannel: 'stable',
      channels: [{ name: 'stable', currentCSV: 'redis-operator.v3.16.2' }],
    });
  });

  it('offers the catalog versions up to the installed one, on their channels', () => {
    // Prepare
    const store = new ClusterStore('seed');
    const catalog = {
      versions: ['3.14.2', '3.16.0', '3.16.2', '3.18.0'].map((v) => ({
        version: v,
        csv: `redis-operator.v${v}`,
        channel: 'stable',
      })),
    };

    // Act
    seedCluster(store, clusterSpec(), catalog);

    // Assess
    expect(offeredCsvs(store)).toEqual([
      'redis-operator.v3.16.2',
      'redis-operator.v3.16.0',
      'redis-operator.v3.14.2',
    ]);
  });

  it('publishes the platform version in ProductBase base and ConfigMap kube-public/acp-version', () => {
    // Prepare
    const store = new ClusterStore('seed');

    // Act
    seedCluster(store, clusterSpec({ platformVersion: '3.18.1' }));

    // Assess
    expect(store.get(PRODUCT_BASE, undefined, 'base')?.status).toMatchObject({
      phase: 'Running',
      version: 'v3.18.1',
    });
    expect(store.get(CONFIG_MAP, 'kube-public', 'acp-version')?.data).toEqual({ version: '3.18.1' });
  });

  it('stores ProductBase in its storage version v1alpha1, valid against both served versions', () => {
    // Prepare
    const store = new ClusterStore('seed');

    // Act
    seedCluster(store, clusterSpec());

    // Assess: the store validated the write against v1alpha1, the version that requires the most
    const base = store.get(PRODUCT_BASE_V1ALPHA1, undefined, 'base') as KubeObject;
    expect(base.apiVersion).toBe('product.alauda.io/v1alpha1');
    for (const t of [PRODUCT_BASE_V1ALPHA1, PRODUCT_BASE]) {
      const { causes } = applySchema(t.schema as object, { ...base, apiVersion: apiVersionOf(t) });
      expect(causes, t.version).toEqual([]);
    }
  });

  it("offers the installed version's bundle graph and the versions the scenario says were uploaded", () => {
    // Prepare
    const store = new ClusterStore('seed');

    // Act
    seedCluster(store, clusterSpec({ installedVersion: '4.0.3', catalog: { uploaded: ['4.1.2'] } }));

    // Assess
    const manifest = store.get(PACKAGE_MANIFEST, 'cpaas-system', 'redis-operator') as KubeObject;
    const { channels } = manifest.status as { channels: unknown[] };
    expect(channels).toHaveLength(1);
    expect(channels[0]).toMatchObject({
      name: 'stable',
      currentCSV: 'redis-operator.v4.1.2',
      currentCSVDesc: {
        displayName: 'Alauda Cache Service for Redis OSS',
        version: '4.1.2',
        annotations: expect.objectContaining({ 'olm.skipRange': '>=4.0.0 <4.1.2' }),
      },
    });
    expect(offeredCsvs(store)).toEqual(['redis-operator.v4.1.2', 'redis-operator.v4.0.3']);
    expect(store.get(ARTIFACT_VERSION, 'cpaas-system', 'redis-operator.v4.1.2')?.status).toMatchObject({
      reason: 'Success',
    });
  });

  it('reports each instance healthy or not as its kind does', () => {
    // Prepare
    const store = new ClusterStore('seed');
    const spec = clusterSpec({
      instances: [
        { kind: 'Redis', name: 'a', namespace: 'ns', healthy: false },
        { kind: 'RedisFailover', name: 'b', namespace: 'ns', healthy: false },
        { kind: 'RedisSentinel', name: 'c', namespace: 'ns', healthy: true },
        { kind: 'DistributedRedisCluster', name: 'd', namespace: 'ns', healthy: false },
      ],
    });

    // Act
    seedCluster(store, spec);

    // Assess
    expect(store.get(REDIS, 'ns', 'a')?.status).toMatchObject({ phase: 'Error' });
    expect(store.get(REDIS_FAILOVER, 'ns', 'b')?.status).toMatchObject({ phase: 'Fail' });
    expect(store.get(REDIS_SENTINEL, 'ns', 'c')?.status).toMatchObject({ phase: 'Ready' });
    expect(store.get(DISTRIBUTED_REDIS_CLUSTER, 'ns', 'd')?.status).toMatchObject({ status: 'Failed' });
  });

  it('labels PVCs with their instance and leaves the named ones Pending', () => {
    // Prepare
    const store = new ClusterStore('seed');
    const pending = instancePvcNames('DistributedRedisCluster', 'orders')[1] as string;

    // Act
    seedCluster(store, clusterSpec({ pvcsPending: [pending] }));

    // Assess
    const pvcs = store.list(PVC).map((p) => toPvcView(p as never));
    expect(pvcs.map((p) => p.name).sort()).toEqual(
      [
        ...instancePvcNames('Redis', 'cache'),
        ...instancePvcNames('RedisFailover', 'sessions'),
        ...instancePvcNames('DistributedRedisCluster', 'orders'),
      ].sort(),
    );
    expect(pvcs.filter((p) => p.phase === 'Pending').map((p) => p.name)).toEqual([pending]);
    expect(pvcs.find((p) => p.name === pending)?.labels).toMatchObject({
      'middleware.instance/name': 'orders',
      'redis.kun/name': 'orders',
    });
    expect(
      pvcs.filter((p) => p.labels['middleware.instance/name'] === 'sessions').map((p) => p.labels),
    ).toEqual([
      expect.objectContaining({ 'redisfailovers.databases.spotahome.com/name': 'sessions' }),
      expect.objectContaining({ 'redisfailovers.databases.spotahome.com/name': 'sessions' }),
    ]);
  });

  it('gives every instance a Complete backup of the configured age, linked to it', () => {
    // Prepare
    const store = new ClusterStore('seed');
    const before = Date.now();

    // Act
    seedCluster(store, clusterSpec({ backupAgeSeconds: 7200 }));

    // Assess
    const backups = store.list(REDIS_BACKUP).map((b) => toBackupView(b as never));
    expect(backups.map((b) => b.instance).sort()).toEqual([
      'cache',
      'orders',
      'sessions',
      'sessions-sentinel',
    ]);
    for (const backup of backups) {
      expect(backup.condition).toBe('Complete');
      const age = (before - Date.parse(backup.completionTime as string)) / 1000;
      expect(age).toBeGreaterThan(7200 - 2);
      expect(age).toBeLessThan(7200 + 2);
    }
    for (const backup of store.list(REDIS_BACKUP)) {
      const created = Date.parse(backup.metadata.creationTimestamp as string);
      const { startTime, completionTime } = backup.status as { startTime: string; completionTime: string };
      expect(created).toBeLessThanOrEqual(Date.parse(startTime));
      expect(Date.parse(startTime)).toBeLessThan(Date.parse(completionTime));
    }
    const drc = store.list(REDIS_BACKUP, { labelSelector: 'redis.kun/name=orders' });
    expect(drc.map((b) => (b.spec as { source: unknown }).source)).toEqual([
      expect.objectContaining({ redisName: 'orders', sourceType: 'cluster' }),
    ]);
  });

  it('seeds no backups when backupAgeSeconds is null', () => {
    // Prepare
    const store = new ClusterStore('seed');

    // Act
    seedCluster(store, clusterSpec({ backupAgeSeconds: null }));

    // Assess
    expect(store.list(REDIS_BACKUP)).toEqual([]);
  });

  it('sizes pod requests to exactly requestedFraction of the nodes allocatable', () => {
    // Prepare
    const store = new ClusterStore('seed');
    const nodes = { count: 7, cpuMillis: 7900, memoryBytes: 31 * 1024 ** 3 + 17 };

    // Act
    seedCluster(store, clusterSpec({ nodes, requestedFraction: 0.83 }));

    // Assess
    expect(store.list(NODE)).toHaveLength(7);
    const pods = store.list(POD);
    expect(requested(pods, 'cpu')).toBeCloseTo(Math.round(0.83 * 7 * 7900) / 1000, 6);
    expect(requested(pods, 'memory')).toBe(Math.round(0.83 * 7 * nodes.memoryBytes));
    expect(new Set(pods.map((p) => (p.spec as { nodeName: string }).nodeName)).size).toBe(7);
  });
});
