/**
 * `redis-upgrader upgrade --cluster C --to V [--wait]`: starts an upgrade job through the API of
 * a running runtime (`redis-upgrader serve`). With --wait it follows the job, one line per state
 * or hop change, and exits with the job's outcome (0 succeeded, 1 failed/cancelled, 4 blocked).
 */
import { type Command, Option } from 'commander';
import {
  type ApiFlags,
  apiClientFor,
  durationSeconds,
  positiveSeconds,
  withApiFlags,
} from '#cli/api-flags.ts';
import { exitCodeForJobState } from '#cli/exit-codes.ts';
import { printJson, printLines } from '#cli/output.ts';
import { formatSeconds, hopPath, JobProgressPrinter } from '#cli/progress-view.ts';
import { waitForJob } from '#cli/wait-for-job.ts';
import type { JobOptions } from '#domain/job-options.ts';
import type { JobView } from '#shared/http/api-replies.ts';

interface UpgradeFlags extends ApiFlags {
  cluster?: string;
  to?: string;
  wait?: boolean;
  takeBackup?: boolean;
  skipBackupCheck?: boolean;
  maxBackupAge?: number;
  includePrerelease?: boolean;
  callbackUrl?: string;
  interval: number;
}

/** The job options the flags ask for; none when no flag is given, so the server's defaults apply. */
function jobOptions(flags: UpgradeFlags): JobOptions | undefined {
  const options: JobOptions = {
    ...(flags.takeBackup ? { takeBackup: true } : {}),
    ...(flags.skipBackupCheck ? { skipBackupCheck: true } : {}),
    ...(flags.maxBackupAge === undefined ? {} : { maxBackupAgeSeconds: flags.maxBackupAge }),
    ...(flags.includePrerelease ? { includePrerelease: true } : {}),
  };
  return Object.keys(options).length > 0 ? options : undefined;
}

async function upgrade(flags: UpgradeFlags, command: Command): Promise<void> {
  const { cluster, to } = flags;
  if (cluster === undefined || to === undefined) {
    command.error(
      `required option '${cluster === undefined ? '--cluster <name>' : '--to <version>'}' not specified`,
    );
  }
  const client = apiClientFor(command);
  const options = jobOptions(flags);
  if (options?.skipBackupCheck) {
    process.stderr.write(
      'warning: --skip-backup-check: backups will not be checked before this upgrade; the override is recorded in the job\n',
    );
  }
  const started = Date.now();
  const job = await client.startUpgrade({
    cluster,
    targetVersion: to,
    ...(options ? { options } : {}),
    ...(flags.callbackUrl ? { callbackUrl: flags.callbackUrl } : {}),
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
      .addOption(
        new Option(
          '--skip-backup-check',
          'override the backup gate: upgrade without recent backups (recorded in the job and logged)',
        ).conflicts('takeBackup'),
      )
      .option(
        '--max-backup-age <duration>',
        "how recent backups must be, e.g. 12h or 2d; the server's setting when absent",
        durationSeconds,
      )
      .option('--include-prerelease', 'allow a pre-release target version')
      .option(
        '--callback-url <url>',
        'receives a signed notification on every state change (public http(s) only)',
      )
      .option('--interval <seconds>', 'seconds between status polls with --wait', positiveSeconds, 1),
  ).action(upgrade);
}
