/**
 * Stage `check-backup`: every Redis instance validate found (the job's `instances`) needs a Complete backup younger than the maximum
 * age (job option, else config; default 24 h). Otherwise the job is blocked naming the instances,
 * unless the job asked for `takeBackup`: then one RedisBackup is created per stale instance
 * (claimed first, so duplicates of the message create none) and the stage waits, by delayed
 * re-enqueue, until they are Complete, one Failed, or the deadline passes.
 * `skipBackupCheck` is an explicit override: recorded in the transition reason and logged.
 */

import type { RedisBackupView } from '#domain/cluster-views.ts';
import {
  checkBackups,
  type Finding,
  formatAge,
  instancesNeedingBackup,
  summarizeFindings,
} from '#domain/prerequisites.ts';
import { type InstanceRef, instanceName } from '#domain/redis-instance.ts';
import type { ClusterClient } from '#shared/ports.ts';
import { runClaimed } from '#usecases/claim.ts';
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

async function createBackups(client: ClusterClient, stale: readonly InstanceRef[]): Promise<string[]> {
  const created: string[] = [];
  for (const instance of stale) created.push(backupName(await client.createRedisBackup(instance)));
  return created;
}

async function takeBackups(
  context: HopContext,
  client: ClusterClient,
  stale: readonly InstanceRef[],
): Promise<StepOutcome> {
  const claim = await runClaimed(
    context,
    async () => {
      context.log.info('taking backups', { instances: stale.map(instanceName) });
      return { backups: await createBackups(client, stale) };
    },
    { doing: `creating RedisBackups of ${stale.map(instanceName).join(', ')}` },
  );
  if (claim.status === 'held') {
    return {
      kind: 'defer',
      reason: `another worker is at it: ${claim.holder}`,
      delaySeconds: claim.retryInSeconds,
    };
  }
  const names = context.job.step?.backups ?? [];
  return { kind: 'wait', reason: `waiting for RedisBackups ${names.join(', ')} to complete` };
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
  return takeBackups(context, client, instancesNeedingBackup(instances, findings));
}

export function makeCheckBackupStage(deps: CheckBackupDeps): StageHandler {
  return makeHopStage('check-backup', deps, checkBackupStep);
}
