import { createHash, randomUUID } from 'node:crypto';
import { brotliCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { dynamoItemBytes } from '#adapters/aws/dynamo-item-size.ts';
import { jobItem, jobOf } from '#adapters/aws/dynamo-job-item.ts';
import { CURRENT_JOB_DICTIONARY, JOB_DICTIONARIES } from '#adapters/aws/job-dictionary.ts';
import { storedJob } from '#adapters/stored-job.ts';
import type { Job, StageName } from '#domain/job.ts';
import { newJob, transition } from '#domain/job-transitions.ts';
import { planUpgrade } from '#domain/planner.ts';
import { testCatalog } from '#test/fakes/catalog.ts';

const catalog = testCatalog();
const instances = [
  { kind: 'Redis', namespace: 'payments', name: 'session-cache' },
  { kind: 'RedisFailover', namespace: 'payments', name: 'ledger-failover' },
  { kind: 'RedisSentinel', namespace: 'orders', name: 'orders-sentinel' },
  { kind: 'DistributedRedisCluster', namespace: 'search', name: 'search-shards' },
] as const;

/** A job that went every hop from `from` to `to` and succeeded, worded as the stages word it. */
function upgradedJob(from: string, to: string): Job {
  const plan = planUpgrade(catalog, from, to, {}).hops;
  const start = Date.UTC(2030, 0, 1);
  const step = (stage: StageName, hop: number, seq: number) => ({
    at: new Date(start + seq * 41_000),
    cause: { stage, hop, seq, id: randomUUID() },
  });
  let job: Job = newJob({
    id: randomUUID(),
    cluster: 'acp-prod-west-cluster-17',
    targetVersion: to,
    at: new Date(start),
  });
  job = transition(job, 'validating', step('validate', 0, 1));
  job = transition(job, 'checking-backup', {
    ...step('validate', 0, 2),
    reason: `plan ${[from, ...plan.map((hop) => hop.to)].join(' -> ')} (${plan.length} hops); instances, capacity and PVCs are fine`,
    facts: { fromVersion: from, platformVersion: '3.18.0', plan, instances: [...instances] },
  });
  job = transition(job, 'uploading', {
    ...step('check-backup', 0, 3),
    reason: 'every Redis instance (4) has a Complete backup younger than 24h',
  });
  for (const [hop, { to: version, csv }] of plan.entries()) {
    if (hop > 0) {
      job = transition(job, 'uploading', {
        ...step('verify', hop - 1, job.version),
        hop,
        reason: `hop ${plan[hop - 1]?.from} -> ${plan[hop - 1]?.to} verified; starting hop ${plan[hop]?.from} -> ${version}`,
      });
    }
    job = transition(job, 'patching', {
      ...step('upload-package', hop, job.version),
      reason: `package ${version} is on the cluster (ArtifactVersion ${csv} reports Success)`,
    });
    job = transition(job, 'verifying', {
      ...step('patch-subscription', hop, job.version),
      reason: `approved InstallPlan redis-system/install-${randomUUID().slice(0, 5)} (exactly ${csv})`,
    });
  }
  return transition(job, 'succeeded', {
    ...step('verify', plan.length - 1, job.version),
    reason: `cluster runs ${to} (${plan.at(-1)?.csv}) and every Redis instance is healthy`,
  });
}

const brotliItemBytes = (job: Job) =>
  dynamoItemBytes({ ...jobItem(job), job: brotliCompressSync(JSON.stringify(storedJob(job))) });

describe('job dictionaries', () => {
  it('never change: items written with one are read with it for as long as they live', () => {
    // Add a dictionary under the next number instead of editing one (job-dictionary.ts).
    const digests = Object.fromEntries(
      Object.entries(JOB_DICTIONARIES).map(([n, bytes]) => [
        n,
        createHash('sha256').update(bytes).digest('hex'),
      ]),
    );
    expect(digests).toEqual({ 1: '63e40f588a38e6ef9ff6ef0d25755aaaacbf3fed173de8a9d7d7e7ccabdd39d6' });
    expect(JOB_DICTIONARIES[CURRENT_JOB_DICTIONARY]).toBeDefined();
  });

  it.each([
    ['3.18.2', '4.0.3'],
    ['3.16.2', '4.2.0'],
    ['3.14.0', '5.1.0'],
  ])('keeps a job upgraded from %s to %s in one write unit, read back as written', (from, to) => {
    // Prepare
    const job = upgradedJob(from, to);
    // Act
    const item = jobItem(job);
    // Assess
    expect(jobOf(item, job.id)).toEqual(job);
    expect(dynamoItemBytes(item)).toBeLessThanOrEqual(1024);
  });

  it('keeps in one write unit a job that Brotli, the compression before, put in two', () => {
    const job = upgradedJob('3.14.0', '5.1.0');
    expect(dynamoItemBytes(jobItem(job))).toBeLessThanOrEqual(1024);
    expect(brotliItemBytes(job)).toBeGreaterThan(1024);
  });
});
