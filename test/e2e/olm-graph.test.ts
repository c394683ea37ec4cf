/**
 * Where OLM and the upgrader's plan disagree, end to end: the local runtime drives simulated
 * clusters whose catalogs hold upgrade graphs that take OLM elsewhere than the hop, or nowhere,
 * or whose bundles cannot be unpacked. Each job ends blocked or failed with a reason naming OLM's
 * edge (or the cluster's own reason), and each cluster is left safe: nothing approved, the
 * installed CSV unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyJob } from '#test/fakes/jobs.ts';
import { type E2eFleet, startE2eFleet } from './support/e2e-fleet.ts';
import { type E2eRuntime, startE2eRuntime } from './support/e2e-runtime.ts';

let env: E2eFleet;
let runtime: E2eRuntime;

beforeAll(async () => {
  env = await startE2eFleet({
    // Someone uploaded a 4.1.2 rebuilt without skips: with no 4.1.1 in the catalog it heads a chain of its
    // own and OLM resolves nothing; the hop's upload of 4.1.1 links it, and its olm.skipRange
    // >=4.0.0 <4.1.2 then takes OLM from the installed 4.0.3 straight past 4.1.1.
    overshoot: {
      installedVersion: '4.0.3',
      platformVersion: '4.1.0',
      catalog: { uploaded: ['4.1.2'], bundles: { '4.1.2': { skips: [] } } },
    },
    // This cluster's 5.0.2 bundle upgrades only from 4.2.0 on: stable-v5 has no edge from 4.1.2.
    noEdge: {
      installedVersion: '4.1.2',
      platformVersion: '4.2.0',
      catalog: {
        bundles: {
          '5.0.2': {
            skipRange: '>=4.2.0 <5.0.2',
            skips: ['redis-operator.v4.2.0', 'redis-operator.v4.2.1', 'redis-operator.v5.0.0'],
          },
        },
      },
    },
    // An uploaded 4.2.1 rebuilt without skips leaves two replacement chains in stable.
    twoChains: { catalog: { uploaded: ['4.2.1'], bundles: { '4.2.1': { skips: [] } } } },
    // The bundle images never reached the cluster's registry.
    unpackFails: { failUnpack: true },
  });
  runtime = await startE2eRuntime(env);
  for (const cluster of env.fleet.clusterNames()) await runtime.register(cluster);
});

afterAll(async () => {
  await runtime?.stop();
  await env?.stop();
});

async function upgrade(role: string, target: string): Promise<AnyJob> {
  const created = await runtime.upgrade(env.name(role), target);
  return runtime.finished(created.id);
}

/** Nothing approved, the installed CSV as before, every plan of the operator unapproved but the one that installed it. */
function expectLeftSafe(role: string, installed: string): void {
  expect(env.counters(role).approvals).toBe(0);
  expect(env.subscription(role).status).toMatchObject({ installedCSV: installed });
  expect(env.state(role).csvs[installed]).toBe('Succeeded');
  const approved = env.state(role).installPlans.filter((plan) => plan.approved);
  expect(approved.map((plan) => plan.csvNames)).toEqual([[installed]]);
}

describe('OLM graphs the upgrader must not follow', () => {
  it('a skipRange that takes OLM beyond the hop target blocks the job, naming the edge', async () => {
    // Act
    const job = await upgrade('overshoot', '4.1.1');

    // Assess
    expect(job.state).toBe('blocked');
    expect(job.plan?.map((hop) => hop.to)).toEqual(['4.1.1']);
    const beyond = env
      .state('overshoot')
      .installPlans.find((p) => p.csvNames.includes('redis-operator.v4.1.2'));
    expect(job.reason).toContain(
      "OLM resolved redis-operator.v4.1.2 from redis-operator.v4.0.3 via olm.skipRange >=4.0.0 <4.1.2, beyond this hop's target redis-operator.v4.1.1",
    );
    expect(job.reason).toContain(
      `InstallPlan redis-system/${beyond?.name} would install redis-operator.v4.1.2`,
    );
    expect(beyond).toMatchObject({ phase: 'RequiresApproval', approved: false });
    expect(env.counters('overshoot').uploads.get('redis-operator.v4.1.1')).toBe(1);
    expectLeftSafe('overshoot', 'redis-operator.v4.0.3');
  });

  it('a channel without an edge from the installed CSV fails the job once OLM has had its polls', async () => {
    // Act
    const job = await upgrade('noEdge', '5.0.2');

    // Assess
    expect(job.state).toBe('failed');
    expect(job.reason).toBe(
      'no bundle in channel stable-v5 replaces redis-operator.v4.1.2: OLM stays at it (AtLatestKnown) and plans ' +
        'nothing, although the catalog offers redis-operator.v5.0.2; the channel head redis-operator.v5.0.2 has ' +
        'olm.skipRange >=4.2.0 <5.0.2, which does not include 4.1.2. Note: the Subscription was moved from channel ' +
        'stable to stable-v5 for this hop; move it back to stable if you do not retry',
    );
    expect(env.subscription('noEdge').spec).toMatchObject({ channel: 'stable-v5' });
    expect(
      env.state('noEdge').installPlans.filter((p) => p.csvNames.includes('redis-operator.v5.0.2')),
    ).toEqual([]);
    expectLeftSafe('noEdge', 'redis-operator.v4.1.2');
  });

  it('a channel OLM cannot resolve fails the job with its ResolutionFailed', async () => {
    // Act
    const job = await upgrade('twoChains', '4.0.3');

    // Assess
    expect(job.state).toBe('failed');
    expect(job.reason).toBe(
      'no bundle in channel stable replaces redis-operator.v3.16.2 (ResolutionFailed ErrorPreventedResolution: a ' +
        'unique replacement chain within a channel is required to determine the relative order between channel ' +
        'entries, but 2 replacement chains were found in channel "stable" of package "redis-operator": ' +
        'redis-operator.v4.2.1, redis-operator.v4.0.3)',
    );
    expect(env.state('twoChains').offered).toContain('redis-operator.v4.0.3');
    expectLeftSafe('twoChains', 'redis-operator.v3.16.2');
  });
});

describe('bundle unpacking', () => {
  it('an unpack failure fails the job with the cluster’s reason, the plan never approved', async () => {
    // Act
    const job = await upgrade('unpackFails', '3.18.2');

    // Assess
    const failed = env
      .state('unpackFails')
      .installPlans.find((p) => p.csvNames.includes('redis-operator.v3.18.2'));
    expect(failed).toMatchObject({ phase: 'Failed', approved: false });
    expect(job.state).toBe('failed');
    expect(job.reason).toBe(
      `InstallPlan redis-system/${failed?.name} for redis-operator.v3.18.2 Failed: bundle unpacking failed. ` +
        'Reason: DeadlineExceeded, and Message: Job was active longer than specified deadline ' +
        '(bundle image registry.alauda.cn:60080/middleware/redis-operator-bundle:v3.18.2)',
    );
    expectLeftSafe('unpackFails', 'redis-operator.v3.16.2');
  });
});
