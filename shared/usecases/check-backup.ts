/**
 * Stage `check-backup`: every Redis instance validate found (the job's `instances`) needs a Complete backup younger than the maximum
 * age (job option, else config; default 24 h). Otherwise the job is blocked naming the instances,
 * unless the job asked for `takeBackup`: then one RedisBackup is created per stale instance,
 * under a name fixed by job, hop and instance (so a repeated create makes none), and the stage
 * waits, by delayed re-enqueue, until they are Complete, one Failed, or the deadline passes.
 * `skipBackupCheck` is an explicit override: recorded in the transition reason and logged.
 */

import type { RedisBackupView } from '#domain/cluster-views.ts';
import { preUpgradeBackupName } from '#domain/pre-upgrade-backup.ts';
import {
  checkBackups,
  type Finding,
  formatAge,
  instancesNeedingBackup,
  summarizeFindings,
} from '#domain/prerequisites.ts';
import { type InstanceRef, instanceName } from '#domain/redis-instance.ts';
import type { ClusterClient } from '#shared/ports.ts';
import { makeHopStage, type StageDeps, type StageHandler } from '#usecases/stage-runner.ts';
import type { HopContext, StepOutcome } from '#usecases/stage-step.ts';

export type CheckBackupDeps = StageDeps;

function backupName(backup: RedisBackupView): string {
  return `${backup.namespace}/${backup.name}`;
}

function failedBackups(requested: readonly string[], backups: readonly RedisBackupView[]): Finding[] {
  return backups
    .filter((backup) => requested.includes(backupName(backup)) && backup.condition === 'Failed')
    .map((backup) => ({
      kind: 'backup-failed',
      resource: `RedisBackup ${backupName(backup)}`,
      message: `RedisBackup ${backupName(backup)} (instance ${backup.instance}) Failed`,
    }));
}

/**
 * Creates the backups of the stale instances that do not have theirs yet, and waits for them.
 * The names are fixed by job, hop and instance (#domain/pre-upgrade-backup.ts), so the cluster
 * itself says which exist: an instance whose backup aged out during the wait gets one too, and a
 * create repeated after a crash, a transient failure or by a copy of the message finds the first.
 */
async function takeBackups(
  context: HopContext,
  client: ClusterClient,
  stale: readonly InstanceRef[],
  backups: readonly RedisBackupView[],
): Promise<StepOutcome> {
  const wanted = stale.map((instance) => ({
    instance,
    name: preUpgradeBackupName(instance, context.job.id, context.hop.to),
  }));
  const existing = new Set(backups.map(backupName));
  const missing = wanted.filter(({ instance, name }) => !existing.has(`${instance.namespace}/${name}`));
  const awaited = wanted.map(({ instance, name }) => `${instance.namespace}/${name}`);
  if (missing.length > 0) {
    const recorded = context.job.step?.backups ?? [];
    // Recorded before the creates, so a failure of one of them is reported even after a crash.
    await context.progress({ backups: [...new Set([...recorded, ...awaited])] });
    context.log.info('taking backups', { instances: missing.map(({ instance }) => instanceName(instance)) });
    for (const { instance, name } of missing) await client.createRedisBackup(instance, name);
  }
  return { kind: 'wait', reason: `waiting for RedisBackups ${awaited.join(', ')} to complete` };
}

async function checkBackupStep(context: HopContext): Promise<StepOutcome> {
  const { options } = context.job;
  if (options.skipBackupCheck) {
    context.log.warn('backup check skipped by explicit override', { skipBackupCheck: true });
    return {
      kind: 'transition',
      to: 'uploading',
      reason:
        'backup check SKIPPED by explicit override (options.skipBackupCheck); backups were not verified',
    };
  }
  const { client } = await context.cluster();
  // The instances validate found moments ago (and verify will require again): no second listing.
  const instances = context.job.instances;
  const backups = await client.listRedisBackups();
  const maxAgeSeconds = options.maxBackupAgeSeconds ?? context.config.backupMaxAgeSeconds;
  const findings = checkBackups(instances, backups, { maxAgeSeconds, now: context.now });
  const requested = context.job.step?.backups ?? [];
  const failed = failedBackups(requested, backups);
  if (failed.length > 0) {
    return {
      kind: 'transition',
      to: 'blocked',
      reason: summarizeFindings('backups taken for the upgrade failed', failed),
    };
  }
  if (findings.length === 0) {
    const taken = requested.length > 0 ? `; took ${requested.join(', ')}` : '';
    return {
      kind: 'transition',
      to: 'uploading',
      reason: `every Redis instance (${instances.length}) has a Complete backup younger than ${formatAge(maxAgeSeconds)}${taken}`,
    };
  }
  if (!options.takeBackup) {
    const headline = `backups are not recent enough (max ${formatAge(maxAgeSeconds)}), nothing was changed`;
    return {
      kind: 'transition',
      to: 'blocked',
      reason: `${summarizeFindings(headline, findings)}. Back these instances up, or start the upgrade with options.takeBackup`,
    };
  }
  return takeBackups(context, client, instancesNeedingBackup(instances, findings), backups);
}

export function makeCheckBackupStage(deps: CheckBackupDeps): StageHandler {
  return makeHopStage('check-backup', deps, checkBackupStep);
}
