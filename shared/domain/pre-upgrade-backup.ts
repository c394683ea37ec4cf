/**
 * The name of the RedisBackup a job takes of an instance before a hop (options.takeBackup).
 * It is fixed by the job, the hop and the instance, so creating it is idempotent: a create that
 * is repeated (a retried POST whose answer was lost, a crash before the job recorded it, two
 * copies of one message) finds the first backup instead of making a second.
 */
import { createHash } from 'node:crypto';
import type { InstanceRef } from '#domain/redis-instance.ts';

/** Object names must fit a DNS label (63 characters), as the backup's Job and pods reuse them. */
const INSTANCE_PART = 40;

export function preUpgradeBackupName(instance: InstanceRef, jobId: string, hopTo: string): string {
  // The digest covers the whole instance name, so two instances whose names share the first 40
  // characters still get different backups.
  const digest = createHash('sha256')
    .update(`${jobId}\n${hopTo}\n${instance.kind}\n${instance.namespace}\n${instance.name}`)
    .digest('hex')
    .slice(0, 10);
  const prefix = instance.name.slice(0, INSTANCE_PART).replace(/[-.]+$/, '');
  return `${prefix}-pre-upgrade-${digest}`;
}
