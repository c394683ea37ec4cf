/**
 * `redis-upgrader upgrade --cluster C --to V [--wait]`: starts an upgrade job through the API of
 * a running runtime (`redis-upgrader serve`). With --wait it follows the job, one line per state
 * or hop change, and exits with the job's outcome (0 succeeded, 1 failed/cancelled, 4 blocked).
 */
import type { Command } from 'commander';
import { ApiClient, resolveApiTarget } from '#cli/api-client.ts';
import { type ApiFlags, positiveSeconds, withApiFlags } from '#cli/api-flags.ts';
import { exitCodeForJobState } from '#cli/exit-codes.ts';
import { printJson, printLines } from '#cli/output.ts';
import { formatSeconds, hopPath, JobProgressPrinter } from '#cli/progress-view.ts';
import { waitForJob } from '#cli/wait-for-job.ts';
import type { JobView } from '#shared/http/api-replies.ts';

interface UpgradeFlags extends ApiFlags {
  cluster?: string;
  to?: string;
  wait?: boolean;
  takeBackup?: boolean;
  interval: number;
}

async function upgrade(flags: UpgradeFlags, command: Command): Promise<void> {
  const { cluster, to } = flags;
  if (cluster === undefined || to === undefined) {
    command.error(
      `required option '${cluster === undefined ? '--cluster <name>' : '--to <version>'}' not specified`,
    );
  }
  const client = new ApiClient(resolveApiTarget(flags));
  const started = Date.now();
  const job = await client.startUpgrade({
    cluster,
    targetVersion: to,
    ...(flags.takeBackup ? { options: { takeBackup: true } } : {}),
  });
  if (!flags.wait) {
    if (flags.json) printJson(job);
    else
      printLines(
        `Upgrade ${job.id} of cluster ${job.cluster} to ${job.targetVersion} started (${job.state}).\nFollow it: redis-upgrader status ${job.id}`,
      );
    return;
  }
  if (!flags.json) printLines(`Upgrade ${job.id} of cluster ${job.cluster} to ${job.targetVersion}`);
  const printer = flags.json ? undefined : new JobProgressPrinter(process.stdout, started);
  let final: JobView;
  try {
    final = await waitForJob(client, job.id, {
      intervalMs: flags.interval * 1000,
      ...(printer ? { onUpdate: (view) => printer.update(view) } : {}),
    });
  } finally {
    printer?.finish();
  }
  if (flags.json) printJson(final);
  else
    printLines(
      `${final.state}: cluster ${final.cluster} ${hopPath(final)} in ${formatSeconds(Date.now() - started)}`,
    );
  process.exitCode = exitCodeForJobState(final.state);
}

export function registerUpgradeCommand(program: Command): void {
  withApiFlags(
    program
      .command('upgrade')
      .description(
        'start an upgrade of one cluster on a running API (see `serve`); --wait follows it to the end',
      )
      .option('--cluster <name>', 'the registered cluster to upgrade (required)')
      .option('--to <version>', 'the target plugin version, listed in the catalog (required)')
      .option('--wait', 'follow the job until it ends; exit 0 succeeded, 1 failed or cancelled, 4 blocked')
      .option('--take-backup', 'back up instances whose backups are stale, wait for them, then proceed')
      .option('--interval <seconds>', 'seconds between status polls with --wait', positiveSeconds, 1),
  ).action(upgrade);
}
