import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { preUpgradeBackupName } from '#domain/pre-upgrade-backup.ts';
import type { InstanceRef } from '#domain/redis-instance.ts';

const ORDERS: InstanceRef = { kind: 'Redis', namespace: 'cache', name: 'orders' };
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const instanceNames = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);

describe('preUpgradeBackupName', () => {
  it('is the same for the same job, hop and instance, so a repeated create names the first backup', () => {
    expect(preUpgradeBackupName(ORDERS, 'job-1', '4.0.3')).toBe(
      preUpgradeBackupName(ORDERS, 'job-1', '4.0.3'),
    );
    expect(preUpgradeBackupName(ORDERS, 'job-1', '4.0.3')).toMatch(/^orders-pre-upgrade-[0-9a-f]{10}$/);
  });

  it.each([
    ['another job', { ...ORDERS }, 'job-2', '4.0.3'],
    ['another hop', { ...ORDERS }, 'job-1', '4.2.1'],
    ['another namespace', { ...ORDERS, namespace: 'cache-2' }, 'job-1', '4.0.3'],
    ['another kind', { ...ORDERS, kind: 'RedisFailover' as const }, 'job-1', '4.0.3'],
  ])('differs for %s', (_, instance, job, hop) => {
    expect(preUpgradeBackupName(instance, job, hop)).not.toBe(preUpgradeBackupName(ORDERS, 'job-1', '4.0.3'));
  });

  it('fits a DNS label for any instance name, and tells apart names that share their first 40 characters', () => {
    fc.assert(
      fc.property(instanceNames, fc.uuid(), (name, job) => {
        const backup = preUpgradeBackupName({ ...ORDERS, name }, job, '4.0.3');
        expect(backup.length).toBeLessThanOrEqual(63);
        expect(backup).toMatch(DNS_LABEL);
        const sibling = `${name.slice(0, 40)}x${name.slice(41)}`;
        if (sibling !== name)
          expect(preUpgradeBackupName({ ...ORDERS, name: sibling }, job, '4.0.3')).not.toBe(backup);
      }),
    );
  });
});
