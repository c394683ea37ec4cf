/**
 * KubeClusterClient writes against simulated clusters whose controllers react: backups the
 * operator completes, the Subscription channel patch, and InstallPlan approval guarded by the
 * plan's resourceVersion (a plan OLM changed meanwhile is refused, never approved).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstallPlanView, RedisInstanceView } from '#domain/cluster-views.ts';
import { ConflictError, ValidationError } from '#domain/errors.ts';
import { preUpgradeBackupName } from '#domain/pre-upgrade-backup.ts';
import { INSTALL_PLAN, REDIS_BACKUP, SUBSCRIPTION } from '#sim/resource-types.ts';
import { publishArtifact } from '#sim/upload/publish-artifact.ts';
import { eventually, type KubeSim, startKubeSim } from './support/kube-sim.ts';

const NEXT = {
  package: 'redis-operator',
  version: '3.16.2',
  csv: 'redis-operator.v3.16.2',
  channel: 'stable',
};

describe('KubeClusterClient writes to a simulated cluster', () => {
  let sim: KubeSim;

  beforeAll(async () => {
    sim = await startKubeSim();
  });
  afterAll(async () => {
    expect(sim.controllerErrors).toEqual([]);
    await sim.close();
  });

  /** Uploads the next version and waits until OLM offers it in a plan that requires approval. */
  async function pendingPlan(cluster: string): Promise<InstallPlanView> {
    publishArtifact(sim.store(cluster), NEXT, new Date());
    const client = sim.client(cluster);
    const subscription = await eventually(
      'a pending upgrade',
      () => client.readSubscription(),
      (s) => s.state === 'UpgradePending',
    );
    const plan = await client.readInstallPlan(subscription.installPlanRef?.name ?? '', 'redis-system');
    expect(plan).toMatchObject({ phase: 'RequiresApproval', approved: false, csvNames: [NEXT.csv] });
    return plan as InstallPlanView;
  }

  it('creates a backup per instance kind that the operator accepts and completes', async () => {
    // Prepare
    sim.addCluster('backups');
    const client = sim.client('backups');
    const instances = await client.listRedisInstances();

    const nameOf = (instance: RedisInstanceView) => preUpgradeBackupName(instance, 'job-1', '4.0.3');

    // Act
    const created = await Promise.all(
      instances.map((instance) => client.createRedisBackup(instance, nameOf(instance))),
    );

    // Assess
    expect(created.map((b) => b.instance).sort()).toEqual(instances.map((i) => i.name).sort());
    for (const [i, backup] of created.entries()) {
      const instance = instances[i] as RedisInstanceView;
      expect(backup.name).toBe(nameOf(instance));
      expect(backup.namespace).toBe(instance.namespace);
    }
    const names = new Set(created.map((b) => b.name));
    const done = await eventually(
      'the new backups to complete',
      async () => (await client.listRedisBackups()).filter((b) => names.has(b.name)),
      (list) => list.length === created.length && list.every((b) => b.condition === 'Complete'),
    );
    expect(done.every((b) => Date.parse(b.completionTime ?? '') > Date.now() - 60_000)).toBe(true);
    const drc = instances.find((i) => i.kind === 'DistributedRedisCluster') as RedisInstanceView;
    const drcBackup = created.find((b) => b.instance === drc.name);
    const stored = sim.store('backups').get(REDIS_BACKUP, drc.namespace, drcBackup?.name ?? '');
    expect(stored?.spec).toEqual({ source: { redisName: drc.name, sourceType: 'cluster' } });
    expect(stored?.metadata.labels).toMatchObject({ 'redis.kun/name': drc.name });
  });

  it('finds a backup created before instead of making a second (a retried create, a copy of the message)', async () => {
    // Prepare
    sim.addCluster('backup-again');
    const client = sim.client('backup-again');
    const [instance] = (await client.listRedisInstances()) as [RedisInstanceView];
    const name = preUpgradeBackupName(instance, 'job-1', '4.0.3');
    const first = await client.createRedisBackup(instance, name);
    const before = (await client.listRedisBackups()).length;

    // Act
    const again = await client.createRedisBackup(instance, name);

    // Assess
    expect(again).toMatchObject({ namespace: first.namespace, name, instance: instance.name });
    expect(await client.listRedisBackups()).toHaveLength(before);
  });

  it('refuses to take over a backup of that name made for another instance', async () => {
    // Prepare
    sim.addCluster('backup-clash');
    const client = sim.client('backup-clash');
    const [one, other] = (await client.listRedisInstances()).filter((i) => i.namespace === 'team-a');
    if (!one || !other) throw new Error('the fixture has two instances in team-a');
    await client.createRedisBackup(one, 'shared-name');

    // Act
    const error = await client.createRedisBackup(other, 'shared-name').catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConflictError);
  });

  it('patches only the Subscription channel, and refuses a patch on a stale resourceVersion', async () => {
    // Prepare
    sim.addCluster('channels');
    const client = sim.client('channels');
    const before = await client.readSubscription();

    // Act
    await client.patchSubscriptionChannel('stable-v5', before.resourceVersion);
    const stale = await client
      .patchSubscriptionChannel('stable-v6', before.resourceVersion)
      .catch((error: unknown) => error);

    // Assess
    const spec = sim.store('channels').get(SUBSCRIPTION, 'redis-system', 'redis-operator')?.spec;
    expect(spec).toEqual({
      channel: 'stable-v5',
      name: 'redis-operator',
      source: 'platform',
      sourceNamespace: 'cpaas-system',
      installPlanApproval: 'Manual',
    });
    expect(stale).toBeInstanceOf(ConflictError);
    expect((stale as ConflictError).code).toBe('CLUSTER_CONFLICT');
    expect((await client.readSubscription()).channel).toBe('stable-v5');
  });

  it('approves a plan that requires approval, and OLM installs its CSV', async () => {
    // Prepare
    sim.addCluster('approve');
    const client = sim.client('approve');
    const plan = await pendingPlan('approve');
    expect((await client.readPackageChannel('redis-operator', 'stable')).offered).toEqual([
      NEXT.csv,
      'redis-operator.v3.16.1',
    ]);

    // Act
    await client.approveInstallPlan(plan);

    // Assess
    const csv = await eventually(
      'the new CSV to succeed',
      () => client.readCsv(NEXT.csv),
      (view) => view?.phase === 'Succeeded',
    );
    expect(csv?.version).toBe(NEXT.version);
    expect(await client.readInstallPlan(plan.name, plan.namespace)).toMatchObject({
      approved: true,
      phase: 'Complete',
    });
    expect((await client.readSubscription()).installedCSV).toBe(NEXT.csv);
  });

  it('does not approve a plan that changed since it was read (OLM merged another CSV into it)', async () => {
    // Prepare
    sim.addCluster('merged');
    const client = sim.client('merged');
    const seen = await pendingPlan('merged');
    const store = sim.store('merged');
    const current = store.get(INSTALL_PLAN, 'redis-system', seen.name);
    const spec = current?.spec as { clusterServiceVersionNames: string[] };
    store.update(INSTALL_PLAN, {
      ...(current as NonNullable<typeof current>),
      spec: {
        ...spec,
        clusterServiceVersionNames: [...spec.clusterServiceVersionNames, 'other-operator.v1.5.0'],
      },
    });

    // Act
    const refused = await client.approveInstallPlan(seen).catch((error: unknown) => error);

    // Assess
    expect(refused).toBeInstanceOf(ConflictError);
    const after = await client.readInstallPlan(seen.name, seen.namespace);
    expect(after).toMatchObject({ approved: false, phase: 'RequiresApproval' });
    expect(after?.csvNames).toEqual([NEXT.csv, 'other-operator.v1.5.0']);
    expect(await client.readCsv(NEXT.csv)).toBeUndefined();
  });

  it('refuses to approve a plan view without a resourceVersion, sending nothing', async () => {
    // Prepare
    sim.addCluster('unguarded');
    const client = sim.client('unguarded');
    const plan = await pendingPlan('unguarded');
    const sent = sim.requestsTo('unguarded').length;

    // Act
    const refused = await client
      .approveInstallPlan({ ...plan, resourceVersion: undefined })
      .catch((error: unknown) => error);

    // Assess
    expect(refused).toBeInstanceOf(ValidationError);
    expect(sim.requestsTo('unguarded')).toHaveLength(sent);
    expect((await client.readInstallPlan(plan.name, plan.namespace))?.approved).toBe(false);
  });
});
