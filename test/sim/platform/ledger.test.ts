/**
 * The side-effect ledger counts what landed on each cluster, exactly: every push through the
 * violet shim (a repeated push of the same version too), every approval of an InstallPlan with
 * the CSVs it carried, and the CSV each cluster ends up on.
 */
import { resolve } from 'node:path';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fleet, type FleetPlatform, startFleet } from '#sim/fleet.ts';
import { parseScenario } from '#sim/scenario.ts';
import { customObjects, PACKAGES, violet, waitFor } from './by-hand.ts';

const PACKAGE = resolve(PACKAGES, 'redis-operator.stable.ALL.v4.0.3.tgz');
const SOURCE_CSV = 'redis-operator.v3.16.2';
const TARGET_CSV = 'redis-operator.v4.0.3';
const ARTIFACT_VERSION = 'redis-operator.v4.0.3';
const PLANS = {
  group: 'operators.coreos.com',
  version: 'v1alpha1',
  namespace: 'redis-system',
  plural: 'installplans',
};
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

interface Plan {
  metadata: { name: string; resourceVersion: string };
  spec: { clusterServiceVersionNames: string[] };
  status?: { phase?: string };
}

describe('side-effect ledger', () => {
  let fleet: Fleet;

  beforeAll(async () => {
    fleet = await startFleet({
      scenario: parseScenario({
        clusters: { count: 3 },
        defaults: { installedVersion: '3.16.2', approval: 'Manual', syncDelay: '15m', installTime: '2m' },
        groups: [
          { match: { names: ['cluster-02'] }, set: { approval: 'Automatic' } },
          { match: { names: ['cluster-03'] }, set: { failUpload: true } },
        ],
      }),
      seed: 5,
      speed: 20_000,
    });
  });
  afterAll(() => fleet.stop());

  const push = (clusters: string) => {
    const { url, token } = fleet.platforms[0] as FleetPlatform;
    return violet(
      ['push', PACKAGE, '--platform-address', url, '--platform-token', token, '--clusters', clusters],
      fleet.certificateAuthority,
    );
  };

  it('starts empty, with each cluster on its seeded CSV', () => {
    expect(fleet.clusterLedger('cluster-01')).toEqual({
      platform: 'acp',
      installedCSV: SOURCE_CSV,
      uploads: {},
      approvals: {},
    });
  });

  it('counts each push, a repeated one too, each approval with its CSVs, and where each cluster landed', async () => {
    // Prepare
    const api = customObjects(fleet, 'cluster-01');
    const awaitingApproval = async () =>
      ((await api.listNamespacedCustomObject(PLANS)).items as Plan[]).find(
        (p) => p.status?.phase === 'RequiresApproval',
      );

    // Act: push to all three (cluster-03's image push fails), push to cluster-01 again, approve
    // its plan, then send the same approval again (a write that changes nothing)
    const first = await push('cluster-01,cluster-02,cluster-03');
    const second = await push('cluster-01');
    const plan = (await waitFor('the plan for 4.0.3', awaitingApproval, Boolean)) as Plan;
    const approve = (body: object) =>
      api.patchNamespacedCustomObject({ ...PLANS, name: plan.metadata.name, body }, MERGE_PATCH);
    await approve({ metadata: { resourceVersion: plan.metadata.resourceVersion }, spec: { approved: true } });
    await approve({ spec: { approved: true } });
    const installed = (name: string) => async () => fleet.clusterLedger(name).installedCSV;
    await waitFor('cluster-01 on 4.0.3', installed('cluster-01'), (csv) => csv === TARGET_CSV);
    await waitFor('cluster-02 on 4.0.3', installed('cluster-02'), (csv) => csv === TARGET_CSV);

    // Assess
    expect([first.code, second.code]).toEqual([1, 0]);
    expect(plan.spec.clusterServiceVersionNames).toEqual([TARGET_CSV]);
    expect(fleet.ledger()).toEqual({
      clusters: {
        'cluster-01': {
          platform: 'acp',
          installedCSV: TARGET_CSV,
          uploads: { [ARTIFACT_VERSION]: 2 },
          approvals: { [plan.metadata.name]: { count: 1, csvs: [TARGET_CSV] } },
        },
        // Automatic: OLM creates the plan approved, which is nobody's approval.
        'cluster-02': {
          platform: 'acp',
          installedCSV: TARGET_CSV,
          uploads: { [ARTIFACT_VERSION]: 1 },
          approvals: {},
        },
        'cluster-03': { platform: 'acp', installedCSV: SOURCE_CSV, uploads: {}, approvals: {} },
      },
    });
  });
});
