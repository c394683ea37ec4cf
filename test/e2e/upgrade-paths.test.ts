/**
 * Upgrades that go through, end to end: the HTTP API of the local runtime, its SQLite queues and
 * stage workers, the kube adapter and the violet shim against the simulated fleet. Each case owns
 * one cluster of a shared fleet and checks the result where it lands: on the simulated cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobOptions } from '#domain/job.ts';
import { CSV, REDIS_BACKUP } from '#sim/resource-types.ts';
import type { AnyJob } from '#test/fakes/jobs.ts';
import { type E2eFleet, startE2eFleet } from './support/e2e-fleet.ts';
import { type E2eRuntime, startE2eRuntime } from './support/e2e-runtime.ts';

let env: E2eFleet;
let runtime: E2eRuntime;

beforeAll(async () => {
  env = await startE2eFleet({
    patch: { installedVersion: '4.1.1' },
    minor: { installedVersion: '4.0.3', platformVersion: '4.1.0' },
    twoMajors: { platformVersion: '4.1.0' },
    automatic: { approval: 'Automatic' },
    staleBackups: { backupAge: '3d' },
    failingInstall: { failInstall: true },
  });
  runtime = await startE2eRuntime(env);
  for (const cluster of env.fleet.clusterNames()) await runtime.register(cluster);
});

afterAll(async () => {
  await runtime?.stop();
  await env?.stop();
});

const states = (job: AnyJob) => job.transitions.map((t) => t.to);
const hops = (job: AnyJob) => job.plan?.map((hop) => `${hop.kind}:${hop.to}`);

async function upgrade(role: string, target: string, options?: JobOptions): Promise<AnyJob> {
  const created = await runtime.upgrade(env.name(role), target, options);
  return runtime.finished(created.id);
}

function expectInstalled(role: string, csv: string): void {
  const state = env.state(role);
  expect(env.subscription(role).status).toMatchObject({ installedCSV: csv, state: 'AtLatestKnown' });
  expect(state.csvs[csv]).toBe('Succeeded');
  expect(state.installPlans.find((plan) => plan.csvNames.includes(csv))).toMatchObject({
    csvNames: [csv],
    approved: true,
    phase: 'Complete',
  });
}

describe('upgrades through the local runtime against the simulated fleet', () => {
  it('a patch upgrade: one hop, one upload, one approval, over a handful of connections', async () => {
    // Prepare
    const before = env.fleet.traffic();

    // Act
    const job = await upgrade('patch', '4.1.2');

    // Assess
    expect(job).toMatchObject({ state: 'succeeded', fromVersion: '4.1.1', platformVersion: '3.18.0' });
    expect(hops(job)).toEqual(['patch:4.1.2']);
    expect(states(job)).toEqual([
      'validating',
      'checking-backup',
      'uploading',
      'patching',
      'verifying',
      'succeeded',
    ]);
    expectInstalled('patch', 'redis-operator.v4.1.2');
    expect(env.counters('patch').approvals).toBe(1);
    expect(Object.fromEntries(env.counters('patch').uploads)).toEqual({ 'redis-operator.v4.1.2': 1 });
    // Kept-alive connections: the Kubernetes requests share a few (the stages' reads in parallel
    // at most), plus the package download and violet's upload; not one per request.
    const after = env.fleet.traffic();
    const requests = (after.clusters[env.name('patch')] ?? 0) - (before.clusters[env.name('patch')] ?? 0);
    expect(requests).toBeGreaterThan(15);
    expect(after.connections.accepted - before.connections.accepted).toBeLessThanOrEqual(10);
  });

  it('a minor upgrade: straight to the newer minor of the same major', async () => {
    // Act
    const job = await upgrade('minor', '4.2.1');

    // Assess
    expect(job).toMatchObject({ state: 'succeeded', fromVersion: '4.0.3' });
    expect(hops(job)).toEqual(['minor:4.2.1']);
    expectInstalled('minor', 'redis-operator.v4.2.1');
    expect(env.counters('minor').approvals).toBe(1);
  });

  it('a two-major upgrade goes through the earliest minor of 4.x, then switches channel for 5.x', async () => {
    // Act
    const job = await upgrade('twoMajors', '5.0.2');

    // Assess
    expect(job).toMatchObject({ state: 'succeeded', fromVersion: '3.16.2', hop: 1 });
    expect(hops(job)).toEqual(['major:4.0.3', 'major:5.0.2']);
    expect(job.plan?.map((hop) => hop.channel)).toEqual(['stable', 'stable-v5']);
    expect(states(job)).toEqual([
      'validating',
      'checking-backup',
      'uploading',
      'patching',
      'verifying',
      'uploading',
      'patching',
      'verifying',
      'succeeded',
    ]);
    expectInstalled('twoMajors', 'redis-operator.v5.0.2');
    expect(env.subscription('twoMajors').spec).toMatchObject({ channel: 'stable-v5' });
    const plans = env.state('twoMajors').installPlans.filter((plan) => plan.approved);
    expect(plans.map((plan) => plan.csvNames)).toEqual(
      expect.arrayContaining([['redis-operator.v4.0.3'], ['redis-operator.v5.0.2']]),
    );
    expect(env.counters('twoMajors').approvals).toBe(2);
    expect(Object.fromEntries(env.counters('twoMajors').uploads)).toEqual({
      'redis-operator.v4.0.3': 1,
      'redis-operator.v5.0.2': 1,
    });
  });

  it('an Automatic subscription upgrades on upload, without any approval from us', async () => {
    // Act
    const job = await upgrade('automatic', '3.18.2');

    // Assess
    expect(job.state).toBe('succeeded');
    expect(env.subscription('automatic').status).toMatchObject({ installedCSV: 'redis-operator.v3.18.2' });
    expect(env.counters('automatic').approvals).toBe(0);
  });

  it('takeBackup backs up the instances with stale backups, waits for them, then upgrades', async () => {
    // Prepare
    const store = env.fleet.cluster(env.name('staleBackups')).sim.store;
    const backupsBefore = store.list(REDIS_BACKUP).length;

    // Act
    const job = await upgrade('staleBackups', '3.18.2', { takeBackup: true });

    // Assess
    expect(job.state).toBe('succeeded');
    const backups = store.list(REDIS_BACKUP);
    expect(backups).toHaveLength(backupsBefore + 2);
    const fresh = backups.slice(backupsBefore).map((b) => (b.status as { condition?: string }).condition);
    expect(fresh).toEqual(['Complete', 'Complete']);
    expectInstalled('staleBackups', 'redis-operator.v3.18.2');
  });

  it('a failing install ends the job failed with the reason the cluster gave', async () => {
    // Act
    const job = await upgrade('failingInstall', '3.18.2');

    // Assess
    expect(job.state).toBe('failed');
    const store = env.fleet.cluster(env.name('failingInstall')).sim.store;
    const csv = store.get(CSV, 'redis-system', 'redis-operator.v3.18.2');
    const message = (csv?.status as { message?: string } | undefined)?.message;
    expect(message).toBeTruthy();
    expect(job.reason).toContain('redis-operator.v3.18.2');
    expect(job.reason).toContain(message);
    expect(env.subscription('failingInstall').status).toMatchObject({
      installedCSV: 'redis-operator.v3.16.2',
    });
  });
});
