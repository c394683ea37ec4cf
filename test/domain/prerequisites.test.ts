import { describe, expect, it } from 'vitest';
import type { PvcView, RedisBackupView, RedisInstanceView } from '#domain/cluster-views.ts';
import {
  checkBackups,
  checkCapacity,
  checkInstances,
  checkPvcs,
  DEFAULT_CAPACITY_THRESHOLDS,
  formatAge,
  instancesNeedingBackup,
  summarizeFindings,
} from '#domain/prerequisites.ts';

const now = new Date('2026-03-01T12:00:00Z');
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3600_000).toISOString();
const GIB = 1024 ** 3;

const orders: RedisInstanceView = {
  kind: 'Redis',
  namespace: 'cache',
  name: 'orders',
  healthy: true,
  status: 'Ready',
};
const sessions: RedisInstanceView = {
  kind: 'RedisFailover',
  namespace: 'payments',
  name: 'sessions',
  healthy: true,
  status: 'Ready',
};

describe('instance health', () => {
  it('names every unhealthy instance of any kind with its reported status', () => {
    // Prepare
    const instances: RedisInstanceView[] = [
      { ...orders, healthy: false, status: 'Error' },
      sessions,
      { kind: 'RedisSentinel', namespace: 'payments', name: 'sentinel', healthy: false },
      {
        kind: 'DistributedRedisCluster',
        namespace: 'analytics',
        name: 'events',
        healthy: false,
        status: 'Scaling',
      },
    ];
    // Act
    const findings = checkInstances(instances);
    // Assess
    expect(findings.map((finding) => finding.message)).toEqual([
      'Redis cache/orders is Error',
      'RedisSentinel payments/sentinel is not reporting a status',
      'DistributedRedisCluster analytics/events is Scaling',
    ]);
  });
});

describe('capacity headroom', () => {
  const roomy = {
    cpuAllocatableMillis: 10_000,
    cpuRequestedMillis: 5_000,
    memoryAllocatableBytes: 64 * GIB,
    memoryRequestedBytes: 16 * GIB,
  };

  it('passes a cluster with room to spare', () => {
    // Act / Assess
    expect(checkCapacity(roomy, DEFAULT_CAPACITY_THRESHOLDS)).toEqual([]);
  });

  it('flags CPU below the free share, saying how much is free and what is needed', () => {
    // Act
    const findings = checkCapacity({ ...roomy, cpuRequestedMillis: 9_500 }, DEFAULT_CAPACITY_THRESHOLDS);
    // Assess
    expect(findings).toEqual([
      {
        kind: 'cpu-headroom',
        resource: 'cluster CPU',
        message: 'cluster CPU: 500m CPU of 10.0 cores allocatable is unrequested (5%; need at least 10%)',
      },
    ]);
  });

  it('flags memory below an absolute minimum even when the share is fine', () => {
    // Act
    const findings = checkCapacity(
      { ...roomy, memoryAllocatableBytes: 4 * GIB, memoryRequestedBytes: 3 * GIB },
      { ...DEFAULT_CAPACITY_THRESHOLDS, minFreeMemoryPercent: 5, minFreeMemoryBytes: 2 * GIB },
    );
    // Assess
    expect(findings.map((finding) => finding.message)).toEqual([
      'cluster memory: 1.0 GiB of 4.0 GiB allocatable is unrequested (25%; need at least 5% and 2.0 GiB)',
    ]);
  });

  it('flags a cluster that reports no allocatable capacity', () => {
    // Act
    const findings = checkCapacity({ ...roomy, cpuAllocatableMillis: 0 }, DEFAULT_CAPACITY_THRESHOLDS);
    // Assess
    expect(findings.map((finding) => finding.message)).toEqual([
      'cluster CPU: no allocatable capacity reported',
    ]);
  });
});

describe('PVCs', () => {
  it('names PVCs that are not Bound, with the instance they belong to when a label says so', () => {
    // Prepare
    const pvcs: PvcView[] = [
      {
        namespace: 'cache',
        name: 'data-orders-0',
        phase: 'Bound',
        labels: { 'middleware.instance/name': 'orders' },
      },
      {
        namespace: 'cache',
        name: 'data-orders-1',
        phase: 'Pending',
        labels: { 'middleware.instance/name': 'orders' },
      },
      { namespace: 'misc', name: 'scratch', labels: {} },
    ];
    // Act
    const findings = checkPvcs(pvcs, [orders, sessions]);
    // Assess
    expect(findings.map((finding) => finding.message)).toEqual([
      'PVC cache/data-orders-1 (Redis cache/orders) is Pending, not Bound',
      'PVC misc/scratch is without a phase, not Bound',
    ]);
  });
});

describe('backups', () => {
  const backup = (
    instance: RedisInstanceView,
    name: string,
    condition: string,
    hours?: number,
  ): RedisBackupView => ({
    namespace: instance.namespace,
    name,
    instance: instance.name,
    condition,
    ...(hours === undefined ? {} : { completionTime: hoursAgo(hours) }),
  });

  it('accepts a Complete backup within the maximum age, even with a newer Failed one', () => {
    // Prepare
    const backups = [backup(orders, 'b1', 'Complete', 3), backup(orders, 'b2', 'Failed')];
    // Act
    const findings = checkBackups([orders], backups, { maxAgeSeconds: 24 * 3600, now });
    // Assess
    expect(findings).toEqual([]);
  });

  it('names stale and missing backups per instance with ages in hours', () => {
    // Prepare
    const backups = [
      backup(sessions, 'old', 'Complete', 40),
      backup(sessions, 'newer', 'Complete', 31),
      backup(orders, 'running', 'Running'),
      // same name in another namespace is not this instance's backup
      {
        namespace: 'other',
        name: 'x',
        instance: 'orders',
        condition: 'Complete',
        completionTime: hoursAgo(1),
      },
    ];
    // Act
    const findings = checkBackups([orders, sessions], backups, { maxAgeSeconds: 24 * 3600, now });
    // Assess
    expect(findings.map((finding) => finding.message)).toEqual([
      'Redis cache/orders: no Complete backup (running Running)',
      'RedisFailover payments/sessions: newest backup 31h old (max 24h)',
    ]);
    expect(instancesNeedingBackup([orders, sessions], findings)).toEqual([orders, sessions]);
  });

  it('honours a custom maximum age', () => {
    // Act
    const findings = checkBackups([orders], [backup(orders, 'b1', 'Complete', 3)], {
      maxAgeSeconds: 7200,
      now,
    });
    // Assess
    expect(findings.map((finding) => finding.message)).toEqual([
      'Redis cache/orders: newest backup 3h old (max 2h)',
    ]);
  });
});

describe('reporting', () => {
  it('formats ages as an operator reads them', () => {
    // Act / Assess
    expect([
      formatAge(59),
      formatAge(45 * 60),
      formatAge(31 * 3600),
      formatAge(96 * 3600),
      formatAge(100 * 3600),
    ]).toEqual(['0m', '45m', '31h', '4d', '4d 4h']);
  });

  it('summarizes findings into one reason, shortened for large fleets', () => {
    // Prepare
    const findings = Array.from({ length: 12 }, (_, index) => ({
      kind: 'instance-unhealthy' as const,
      resource: `Redis ns/r${index}`,
      message: `Redis ns/r${index} is Error`,
    }));
    // Act
    const summary = summarizeFindings('prerequisites not met', findings, 2);
    // Assess
    expect(summary).toBe('prerequisites not met: Redis ns/r0 is Error; Redis ns/r1 is Error; and 10 more');
  });
});
