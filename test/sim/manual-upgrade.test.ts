/**
 * Issue 3's done-when: the vendor's manual procedure, by hand, against a simulated cluster, only
 * through @kubernetes/client-node and the violet shim: download the package and check its sha256,
 * upload it, wait for the catalog to offer the CSV, approve exactly the plan for it, and watch the
 * CSV reach Succeeded. Then the same with the cluster's API failing (500s, 429 + Retry-After, 409s).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, resolve } from 'node:path';
import { type CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Fleet, startFleet } from '#sim/fleet.ts';
import { readExampleCatalog } from '#sim/packages/example-packages.ts';
import { parseScenario } from '#sim/scenario.ts';
import {
  customObjects,
  fleetFetch,
  type RetryLog,
  violet,
  waitFor,
  withRetries,
} from '#test/sim/platform/by-hand.ts';

const OLM = { group: 'operators.coreos.com', version: 'v1alpha1', namespace: 'redis-system' };
const PACKAGES = { group: 'packages.operators.coreos.com', version: 'v1', namespace: 'cpaas-system' };
const TARGET_CSV = 'redis-operator.v4.0.3';
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

interface KubeItem {
  metadata: { name: string; resourceVersion: string };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

// Retry-After is whole seconds, so 429s are kept rare enough for the case to stay near 2 s.
const FAULTS = { error500Rate: 0.15, throttle429Rate: 0.03, retryAfterSeconds: 1, conflict409Rate: 0.4 };

function scenario(faults: object) {
  return parseScenario({
    defaults: {
      installedVersion: '3.16.2',
      platformVersion: '3.18.0',
      approval: 'Manual',
      // The real catalog sync takes 10-15 minutes and an install a couple: ~40 ms and ~6 ms here.
      syncDelay: '15m',
      installTime: '2m',
      faults,
    },
  });
}

async function downloadTarget(fleet: Fleet, dir: string): Promise<string> {
  const entry = (await readExampleCatalog()).versions.find((v) => v.csv === TARGET_CSV);
  if (!entry) throw new Error(`catalog lacks ${TARGET_CSV}`);
  const file = basename(new URL(entry.artifact.url).pathname);
  const download = await fleetFetch(fleet)(`${fleet.downloadBaseUrl}/${file}`);
  const body = Buffer.from(await download.arrayBuffer());
  expect(createHash('sha256').update(body).digest('hex')).toBe(entry.artifact.sha256);
  const path = resolve(dir, file);
  await writeFile(path, body);
  return path;
}

async function plansAwaitingApproval(api: CustomObjectsApi, log: RetryLog): Promise<KubeItem[]> {
  const list = await withRetries(
    () => api.listNamespacedCustomObject({ ...OLM, plural: 'installplans' }),
    log,
  );
  return (list.items as KubeItem[]).filter((plan) => plan.status?.phase === 'RequiresApproval');
}

/** Approves only a plan still awaiting approval whose CSV list is exactly the target, guarded by its resourceVersion. */
async function approveTargetPlan(api: CustomObjectsApi, log: RetryLog): Promise<string> {
  return withRetries(async () => {
    const plans = await plansAwaitingApproval(api, log);
    const plan = plans.find(
      (p) => JSON.stringify(p.spec?.clusterServiceVersionNames) === JSON.stringify([TARGET_CSV]),
    );
    if (!plan)
      throw new Error(`no plan awaiting approval for exactly [${TARGET_CSV}]: ${JSON.stringify(plans)}`);
    await api.patchNamespacedCustomObject(
      {
        ...OLM,
        plural: 'installplans',
        name: plan.metadata.name,
        body: { metadata: { resourceVersion: plan.metadata.resourceVersion }, spec: { approved: true } },
      },
      MERGE_PATCH,
    );
    return plan.metadata.name;
  }, log);
}

describe('manual upgrade of a simulated cluster, 3.16.2 -> 4.0.3, by hand', () => {
  let fleet: Fleet | undefined;
  let dir: string | undefined;
  // The first fleet of a process parses the CRD schemas (about 2 s): pay that once, outside the cases.
  beforeAll(async () => {
    await (await startFleet({ clusters: 1 })).stop();
  });
  afterEach(async () => {
    await fleet?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['a healthy API', {}],
    ['an API injecting random 500s, 429s with Retry-After and 409s', FAULTS],
  ])('upgrades through %s', async (label, faults) => {
    // Prepare
    fleet = await startFleet({ clusters: 1, scenario: scenario(faults), seed: 3, speed: 20_000 });
    dir = await mkdtemp(resolve(tmpdir(), 'manual-upgrade-'));
    const [platform] = fleet.platforms;
    const cluster = platform?.clusters[0] as string;
    const api = customObjects(fleet, cluster);
    const log: RetryLog = [];
    const subscription = () =>
      withRetries(
        () => api.getNamespacedCustomObject({ ...OLM, plural: 'subscriptions', name: 'redis-operator' }),
        log,
      );
    expect((await subscription()).status.installedCSV).toBe('redis-operator.v3.16.2');
    const pkg = await downloadTarget(fleet, dir);

    // Act: upload, wait for the catalog, approve, wait for the install
    const pushed = await violet(
      [
        'push',
        pkg,
        '--platform-address',
        platform?.url as string,
        '--platform-token',
        platform?.token as string,
        '--clusters',
        cluster,
      ],
      fleet.certificateAuthority,
    );
    expect(pushed.stderr).toBe('');
    await waitFor(
      'the PackageManifest to offer the CSV',
      () =>
        withRetries(
          () =>
            api.getNamespacedCustomObject({
              ...PACKAGES,
              plural: 'packagemanifests',
              name: 'redis-operator',
            }),
          log,
        ),
      (pm) =>
        pm.status.channels.some((ch: { entries?: { name: string }[] }) =>
          ch.entries?.some((e) => e.name === TARGET_CSV),
        ),
    );
    await waitFor(
      'a plan awaiting approval',
      () => plansAwaitingApproval(api, log),
      (plans) => plans.length > 0,
    );
    const planName = await approveTargetPlan(api, log);
    const csv = await waitFor(
      'the new CSV to succeed',
      () =>
        withRetries(
          () => api.getNamespacedCustomObject({ ...OLM, plural: 'clusterserviceversions', name: TARGET_CSV }),
          log,
        ).catch(() => undefined),
      (found) => found?.status?.phase === 'Succeeded',
    );
    const moved = await waitFor(
      'installedCSV to move',
      subscription,
      (s) => s.status.installedCSV === TARGET_CSV,
    );

    // Assess
    expect(csv.spec.version).toBe('4.0.3');
    expect(moved.status).toMatchObject({ currentCSV: TARGET_CSV, state: 'AtLatestKnown' });
    const plan = await withRetries(
      () => api.getNamespacedCustomObject({ ...OLM, plural: 'installplans', name: planName }),
      log,
    );
    expect(plan.status.phase).toBe('Complete');
    expect(fleet.clusterState(cluster)).toMatchObject({ csvs: { [TARGET_CSV]: 'Succeeded' } });
    if (faults === FAULTS) {
      // Which faults land depends on how many polls each wait took; some always do, and only these.
      expect(log.length, `${label}: retried through ${log}`).toBeGreaterThan(0);
      expect(log.every((status) => [500, 429, 409].includes(status))).toBe(true);
    } else {
      expect(log).toEqual([]);
    }
  });
});
