/**
 * Upgrades that must not go through, end to end. A failed prerequisite blocks the job before
 * anything is written to the cluster (checked on the simulator: Subscription, InstallPlans and
 * their approved flags, ArtifactVersions, CSVs unchanged). So does another operator's pending
 * InstallPlan, which OLM would merge into ours. A plan OLM made beyond the hop target (someone
 * else's newer upload, whose olm.skipRange covers the installed version) blocks after the upload,
 * and the plan is never approved.
 */
import { execFile } from 'node:child_process';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instancePvcNames } from '#sim/controllers/redis-objects.ts';
import { EXAMPLE_PACKAGES_DIR, readExampleCatalog } from '#sim/packages/example-packages.ts';
import { MERGED_PLAN_OPERATOR } from '#sim/seed-cluster.ts';
import { type E2eFleet, startE2eFleet } from './support/e2e-fleet.ts';
import { type E2eRuntime, startE2eRuntime, VIOLET } from './support/e2e-runtime.ts';

const PENDING_PVC = instancePvcNames('Redis', 'redis-1')[0] as string;
const EXPORTER_NEXT_CSV = `${MERGED_PLAN_OPERATOR.pkg}.v${MERGED_PLAN_OPERATOR.offered}`;

let env: E2eFleet;
let runtime: E2eRuntime;

beforeAll(async () => {
  env = await startE2eFleet({
    unhealthy: { unhealthyInstances: 1 },
    noHeadroom: { headroom: 0.02 },
    pvcPending: { pvcsPending: [PENDING_PVC] },
    staleBackups: { backupAge: '3d' },
    mergedPlan: { traps: { mergedPlan: true } },
    // Backups taken on request stay Running (30d simulated) until the test completes them.
    beyondTarget: { backupAge: '3d', backupTime: '30d' },
  });
  runtime = await startE2eRuntime(env);
  for (const cluster of env.fleet.clusterNames()) await runtime.register(cluster);
});

afterAll(async () => {
  await runtime?.stop();
  await env?.stop();
});

/** What an upgrade could change on the cluster; instance health is the controllers' business. */
function changeable(role: string) {
  const { csvs, installPlans, artifactVersions, offered } = env.state(role);
  const { spec, status } = env.subscription(role);
  return { subscription: { spec, status }, csvs, installPlans, artifactVersions, offered };
}

/** An out-of-band `violet push` of another version (someone else's upload), synced into the catalog. */
async function pushElsewhere(role: string, version: string): Promise<void> {
  const entry = (await readExampleCatalog()).versions.find((v) => v.version === version);
  const file = join(EXAMPLE_PACKAGES_DIR, basename(new URL(entry?.artifact.url ?? '').pathname));
  const cluster = env.name(role);
  const platform = env.fleet.platforms.find((p) => p.clusters.includes(cluster));
  const args = [
    'push',
    file,
    '--platform-address',
    `${platform?.url}`,
    '--platform-token',
    `${platform?.token}`,
  ];
  await promisify(execFile)(VIOLET, [...args, '--clusters', cluster], {
    env: { ...process.env, SSL_CERT_FILE: env.caFile },
  });
  const csv = `redis-operator.v${version}`;
  await expect.poll(() => env.state(role).offered, { timeout: 5000, interval: 20 }).toContain(csv);
}

describe('upgrades the pipeline refuses', () => {
  it.each([
    ['an unhealthy Redis instance', 'unhealthy', /Redis redis-apps\/redis-1 is Error/],
    ['too little CPU/memory headroom', 'noHeadroom', /CPU|memory/],
    ['a PVC still Pending', 'pvcPending', new RegExp(`${PENDING_PVC}.*Pending|Pending.*${PENDING_PVC}`)],
    ['backups older than 24h', 'staleBackups', /newest backup 3d old \(max 24h\)/],
  ])('%s blocks the job before anything changes on the cluster', async (_label, role, reason) => {
    // Prepare
    const before = changeable(role);

    // Act
    const created = await runtime.upgrade(env.name(role), '3.18.2');
    const job = await runtime.finished(created.id);

    // Assess
    expect(job.state).toBe('blocked');
    expect(job.reason).toMatch(reason);
    expect(job.reason).toContain('nothing was changed');
    expect(changeable(role)).toEqual(before);
    expect(env.counters(role).approvals).toBe(0);
    expect(env.counters(role).uploads.size).toBe(0);
  });

  it("another operator's pending InstallPlan blocks the job in validate, before the upload", async () => {
    // Prepare: OLM has planned middleware-exporter's next version (Manual, so it waits for approval)
    const exporterPlan = () =>
      env.state('mergedPlan').installPlans.find((plan) => plan.csvNames.includes(EXPORTER_NEXT_CSV));
    await expect
      .poll(exporterPlan, { timeout: 5000, interval: 20 })
      .toMatchObject({ phase: 'RequiresApproval', approved: false });
    const before = changeable('mergedPlan');

    // Act
    const created = await runtime.upgrade(env.name('mergedPlan'), '3.18.2');
    const job = await runtime.finished(created.id);

    // Assess: blocked by validate, naming the plan, so OLM never had an upload to merge it into
    expect(job.state).toBe('blocked');
    expect(job.reason).toContain(
      `InstallPlan redis-system/${exporterPlan()?.name} (RequiresApproval) lists ${EXPORTER_NEXT_CSV}`,
    );
    expect(job.reason).toContain('nothing was changed');
    expect(job.reason).toContain("Approve or remove that operator's pending InstallPlan first");
    expect(job.transitions.map((t) => t.to)).toEqual(['validating', 'blocked']);
    expect(changeable('mergedPlan')).toEqual(before);
    expect(env.counters('mergedPlan').uploads.size).toBe(0);
    expect(Object.keys(env.state('mergedPlan').artifactVersions)).not.toContain('redis-operator.v3.18.2');
    expect(env.counters('mergedPlan').approvals).toBe(0);
  });

  it('an InstallPlan beyond the hop target is blocked and never approved', async () => {
    // Prepare: the job passed validation and waits for the backups it requested, held Running
    const created = await runtime.upgrade(env.name('beyondTarget'), '3.18.0', { takeBackup: true });
    const waiting = await runtime.waitFor(created.id, (job) => (job.step?.backups?.length ?? 0) > 0);
    const requested = waiting.step?.backups ?? [];
    const conditions = () => requested.map((backup) => env.backups('beyondTarget')[backup]);
    await expect.poll(conditions).toEqual(requested.map(() => 'Running'));
    // meanwhile someone else uploads 3.18.2, and OLM plans it: its olm.skipRange covers 3.16.2
    await pushElsewhere('beyondTarget', '3.18.2');
    const beyond = () =>
      env.state('beyondTarget').installPlans.find((plan) => plan.csvNames.includes('redis-operator.v3.18.2'));
    await expect.poll(beyond, { timeout: 5000, interval: 20 }).toMatchObject({ phase: 'RequiresApproval' });

    // Act: the backups complete; the job uploads its 3.18.0 and looks for its InstallPlan
    env.completeBackups('beyondTarget');
    const job = await runtime.finished(created.id);

    // Assess
    expect(conditions()).toEqual(requested.map(() => 'Complete'));
    expect(job.state).toBe('blocked');
    expect(job.reason).toContain(
      'OLM resolved redis-operator.v3.18.2 from redis-operator.v3.16.2 via olm.skipRange >=3.0.0 <3.18.2',
    );
    expect(job.reason).toContain(
      `InstallPlan redis-system/${beyond()?.name} would install redis-operator.v3.18.2`,
    );
    expect(job.reason).toContain("beyond this hop's target redis-operator.v3.18.0");
    expect(env.counters('beyondTarget').uploads.get('redis-operator.v3.18.0')).toBe(1);
    expect(env.state('beyondTarget').offered).toContain('redis-operator.v3.18.0');
    const plans = env.state('beyondTarget').installPlans.filter((plan) => plan.phase !== 'Complete');
    expect(plans).toEqual([
      expect.objectContaining({
        csvNames: ['redis-operator.v3.18.2'],
        approved: false,
        phase: 'RequiresApproval',
      }),
    ]);
    expect(env.counters('beyondTarget').approvals).toBe(0);
    expect(env.subscription('beyondTarget').status).toMatchObject({ installedCSV: 'redis-operator.v3.16.2' });
  });
});
