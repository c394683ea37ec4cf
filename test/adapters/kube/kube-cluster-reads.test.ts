/**
 * KubeClusterClient reads against a seeded simulated cluster over real HTTP: each ClusterClient
 * read maps the cluster's objects to the port's views, and lists page through `limit`/`continue`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '#domain/errors.ts';
import { apiVersionOf, NODE, POD, REDIS_BACKUP } from '#sim/resource-types.ts';
import { clusterSpec, type KubeSim, startKubeSim } from './support/kube-sim.ts';

const INSTANCES = [
  { kind: 'Redis', name: 'cache', namespace: 'team-a', healthy: true },
  { kind: 'Redis', name: 'cache-2', namespace: 'team-a', healthy: true },
  { kind: 'Redis', name: 'broken', namespace: 'team-c', healthy: false },
  { kind: 'RedisFailover', name: 'sessions', namespace: 'team-a', healthy: true },
  { kind: 'RedisFailover', name: 'lost', namespace: 'team-c', healthy: false },
  { kind: 'RedisSentinel', name: 'sessions-sentinel', namespace: 'team-a', healthy: true },
  { kind: 'DistributedRedisCluster', name: 'orders', namespace: 'team-b', healthy: true },
  { kind: 'DistributedRedisCluster', name: 'ledger', namespace: 'team-b', healthy: false },
] as const;

describe('KubeClusterClient reads from a simulated cluster', () => {
  let sim: KubeSim;

  beforeAll(async () => {
    sim = await startKubeSim();
    sim.addCluster(
      'east',
      clusterSpec({
        instances: INSTANCES.map((i) => ({ ...i })),
        platformVersion: '3.18.1',
        pvcsPending: ['redis-data-drc-ledger-1-0'],
      }),
    );
    sim.addEmptyCluster('bare');
  });
  afterAll(async () => {
    await sim.close();
  });

  it('reads the Subscription, its installed CSV and the platform version', async () => {
    // Prepare
    const client = sim.client('east');

    // Act
    const subscription = await client.readSubscription();
    const csv = await client.readCsv('redis-operator.v3.16.1');
    const gone = await client.readCsv('redis-operator.v9.9.9');
    const platform = await client.readPlatformVersion();

    // Assess
    expect(subscription).toMatchObject({
      namespace: 'redis-system',
      name: 'redis-operator',
      channel: 'stable',
      approval: 'Manual',
      installedCSV: 'redis-operator.v3.16.1',
      currentCSV: 'redis-operator.v3.16.1',
      state: 'AtLatestKnown',
      installPlanRef: { namespace: 'redis-system' },
    });
    expect(subscription.resourceVersion).toMatch(/^\d+$/);
    expect(csv).toEqual({
      name: 'redis-operator.v3.16.1',
      version: '3.16.1',
      phase: 'Succeeded',
      message: 'install strategy completed with no errors',
    });
    expect(gone).toBeUndefined();
    expect(platform).toBe('3.18.1');
  });

  it('says clearly when the operator is not installed through OLM, and knows no platform version', async () => {
    // Prepare
    const client = sim.client('bare');

    // Act
    const missing = await client.readSubscription().catch((error: unknown) => error);
    const platform = await client.readPlatformVersion();

    // Assess
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as Error).message).toBe(
      'cluster bare: Subscription redis-system/redis-operator not found; is the Redis operator installed through OLM?',
    );
    expect(platform).toBeUndefined();
  });

  it('lists instances of all four kinds page by page, healthy or not as each kind reports it', async () => {
    // Prepare
    const client = sim.client('east', { pageSize: 2 });
    const before = sim.requestsTo('east').length;

    // Act
    const instances = await client.listRedisInstances();

    // Assess
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(instances.sort(byName)).toEqual(
      [
        { kind: 'Redis', namespace: 'team-a', name: 'cache', healthy: true, status: 'Ready' },
        { kind: 'Redis', namespace: 'team-a', name: 'cache-2', healthy: true, status: 'Ready' },
        { kind: 'Redis', namespace: 'team-c', name: 'broken', healthy: false, status: 'Error' },
        { kind: 'RedisFailover', namespace: 'team-a', name: 'sessions', healthy: true, status: 'Ready' },
        { kind: 'RedisFailover', namespace: 'team-c', name: 'lost', healthy: false, status: 'Fail' },
        {
          kind: 'RedisSentinel',
          namespace: 'team-a',
          name: 'sessions-sentinel',
          healthy: true,
          status: 'Ready',
        },
        {
          kind: 'DistributedRedisCluster',
          namespace: 'team-b',
          name: 'orders',
          healthy: true,
          status: 'Healthy',
        },
        {
          kind: 'DistributedRedisCluster',
          namespace: 'team-b',
          name: 'ledger',
          healthy: false,
          status: 'Failed',
        },
      ].sort(byName),
    );
    const redisPages = sim
      .requestsTo('east')
      .slice(before)
      .filter((r) => r.path === '/apis/middleware.alauda.io/v1/redis');
    expect(redisPages.map((r) => [r.query.get('limit'), r.query.has('continue')])).toEqual([
      ['2', false],
      ['2', true],
    ]);
  });

  it('relates every backup to its instance through the operator link, or the operator label', async () => {
    // Prepare
    sim.store('east').create(REDIS_BACKUP, {
      apiVersion: apiVersionOf(REDIS_BACKUP),
      kind: REDIS_BACKUP.kind,
      metadata: { name: 'orders-legacy', namespace: 'team-b', labels: { 'redis.kun/name': 'orders' } },
      spec: { storage: '1Gi' },
      status: { condition: 'Failed', message: 'backup job failed' },
    });
    const client = sim.client('east', { pageSize: 2 });

    // Act
    const backups = await client.listRedisBackups();

    // Assess
    const seeded = backups.filter((b) => b.name !== 'orders-legacy');
    expect(seeded.map((b) => `${b.namespace}/${b.instance}`).sort()).toEqual(
      INSTANCES.map((i) => `${i.namespace}/${i.name}`).sort(),
    );
    for (const backup of seeded) {
      expect(backup.condition).toBe('Complete');
      const ageMs = Date.now() - Date.parse(backup.completionTime ?? '');
      expect(ageMs).toBeGreaterThan(3_590_000);
      expect(ageMs).toBeLessThan(3_700_000);
    }
    expect(backups.find((b) => b.name === 'orders-legacy')).toMatchObject({
      namespace: 'team-b',
      instance: 'orders',
      condition: 'Failed',
    });
  });

  it('sums allocatable and the requests of pods not finished, whatever the quantity notation', async () => {
    // Prepare: the seeded 3 nodes of 3800m / 15Gi are half requested; add quantities in other notations
    const store = sim.store('east');
    store.create(NODE, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'big-node' },
      spec: {},
      status: { allocatable: { cpu: '4', memory: '15Gi', pods: '110' } },
    });
    const pod = (name: string, phase: string, spec: Record<string, unknown>) =>
      store.create(POD, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'team-d' },
        spec: { nodeName: 'big-node', ...spec },
        status: { phase },
      });
    const container = (cpu: string, memory: string) => ({
      name: 'main',
      image: 'busybox',
      resources: { requests: { cpu, memory } },
    });
    pod('decimal', 'Running', { containers: [container('1.5', '1.5Gi')] });
    pod('init-heavy', 'Pending', {
      containers: [container('100m', '128Mi')],
      initContainers: [{ ...container('2', '1G'), name: 'migrate' }],
    });
    pod('finished', 'Succeeded', { containers: [container('3', '8Gi')] });
    pod('failed', 'Failed', { containers: [container('3', '8Gi')] });
    const client = sim.client('east', { pageSize: 2 });
    const before = sim.requestsTo('east').length;

    // Act
    const capacity = await client.readCapacity();

    // Assess: the API server left the finished pods out, on every page
    const podPages = sim
      .requestsTo('east')
      .slice(before)
      .filter((r) => r.path === '/api/v1/pods');
    expect(podPages.length).toBeGreaterThan(1);
    expect(new Set(podPages.map((r) => r.query.get('fieldSelector')))).toEqual(
      new Set(['status.phase!=Succeeded,status.phase!=Failed']),
    );
    const gi = 1024 ** 3;
    expect(capacity).toEqual({
      cpuAllocatableMillis: 3 * 3800 + 4000,
      cpuRequestedMillis: (3 * 3800) / 2 + 1500 + 2000,
      memoryAllocatableBytes: 3 * 15 * gi + 15 * gi,
      memoryRequestedBytes: (3 * 15 * gi) / 2 + 1.5 * gi + 1e9,
    });
  });

  it('lists PVCs with their phase and labels', async () => {
    // Prepare
    const client = sim.client('east', { pageSize: 2 });

    // Act
    const pvcs = await client.listPvcs();

    // Assess: sentinels keep no data; a Redis or RedisFailover has 2 data pods, a DistributedRedisCluster 6
    expect(pvcs).toHaveLength(3 * 2 + 2 * 2 + 2 * 6);
    expect(pvcs.filter((p) => p.phase !== 'Bound')).toEqual([
      {
        namespace: 'team-b',
        name: 'redis-data-drc-ledger-1-0',
        phase: 'Pending',
        labels: expect.objectContaining({ 'redis.kun/name': 'ledger' }),
      },
    ]);
  });

  it('reads a channel of the PackageManifest in the catalog source namespace, with its head', async () => {
    // Prepare
    const client = sim.client('east');

    // Act
    const channel = await client.readPackageChannel('redis-operator', 'stable');
    const noChannel = await client.readPackageChannel('redis-operator', 'stable-v5');
    const noPackage = await client.readPackageChannel('unknown-operator', 'stable');

    // Assess
    expect(channel).toEqual({
      offered: ['redis-operator.v3.16.1'],
      head: { csv: 'redis-operator.v3.16.1', skipRange: '>=3.0.0 <3.16.1' },
    });
    expect(noChannel).toEqual({ offered: [] });
    expect(noPackage).toEqual({ offered: [] });
    const manifestReads = sim.requestsTo('east').filter((r) => r.path.includes('/packagemanifests/'));
    expect(manifestReads.map((r) => r.path)).toContain(
      '/apis/packages.operators.coreos.com/v1/namespaces/cpaas-system/packagemanifests/redis-operator',
    );
  });

  it('reads the reason of an ArtifactVersion, and nothing for one never uploaded', async () => {
    // Prepare
    const client = sim.client('east');

    // Act
    const installed = await client.readArtifactVersionReason('redis-operator.v3.16.1');
    const never = await client.readArtifactVersionReason('redis-operator.v4.0.3');

    // Assess
    expect(installed).toBe('Success');
    expect(never).toBeUndefined();
  });

  it('reads and lists install plans', async () => {
    // Prepare
    const client = sim.client('east', { pageSize: 1 });
    const { installPlanRef } = await client.readSubscription();

    // Act
    const plan = await client.readInstallPlan(installPlanRef?.name ?? '', 'redis-system');
    const plans = await client.listInstallPlans('redis-system');
    const none = await client.readInstallPlan('install-nope', 'redis-system');

    // Assess
    expect(plan).toMatchObject({
      name: installPlanRef?.name,
      namespace: 'redis-system',
      csvNames: ['redis-operator.v3.16.1'],
      approval: 'Manual',
      approved: true,
      phase: 'Complete',
    });
    expect(plans).toEqual([plan]);
    expect(none).toBeUndefined();
    expect(sim.controllerErrors).toEqual([]);
  });
});
