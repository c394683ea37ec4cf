/**
 * `redis-upgrader rollout --to V (--clusters a,b | --selector env=prod) [strategy flags]`: starts
 * a rollout in waves through a running API, or rehearses it with --dry-run (nothing changes).
 * --wait follows it on the rollout board and exits 0 when every cluster succeeded, 1 when any
 * failed or the batch halted or was cancelled, 4 when the only ones that did not were blocked.
 * `rollout status|list|pause|resume|cancel|approve` are in rollout-control.ts.
 */
import { randomUUID } from 'node:crypto';
import { type Command, Option } from 'commander';
import {
  type ApiFlags,
  apiClientFor,
  durationSeconds,
  positiveSeconds,
  withApiFlags,
} from '#cli/api-flags.ts';
import { followBatch, registerRolloutControlCommands } from '#cli/commands/rollout-control.ts';
import { printJson, printLines } from '#cli/output.ts';
import {
  batchRequestFrom,
  parseApproval,
  parseBudget,
  parseClusterList,
  parseCount,
  parseRetries,
  parseSelector,
  parseWaveSelectors,
  parseWindow,
  type RolloutFlags,
} from '#cli/rollout-request.ts';
import { renderRehearsal } from '#cli/rollout-views.ts';

interface StartFlags extends ApiFlags, RolloutFlags {
  wait?: boolean;
  interval: number;
  idempotencyKey?: string;
}

async function startRollout(flags: StartFlags, command: Command): Promise<void> {
  const { to } = flags;
  if (to === undefined) command.error(`required option '--to <version>' not specified`);
  if ((flags.clusters === undefined) === (flags.selector === undefined)) {
    command.error('give exactly one of --clusters and --selector');
  }
  if (flags.skipBackupCheck) {
    process.stderr.write(
      'warning: --skip-backup-check: backups will not be checked before these upgrades; the override is recorded in every job\n',
    );
  }
  const client = apiClientFor(command);
  // One key per invocation: a start retried after a lost reply returns the batch it created.
  const started = await client.startBatch(
    batchRequestFrom({ ...flags, to }),
    flags.idempotencyKey ?? randomUUID(),
  );
  if ('rehearsal' in started) {
    if (flags.json) printJson(started.rehearsal);
    else printLines(renderRehearsal(started.rehearsal, Date.now()));
    return;
  }
  const { batch } = started;
  if (!flags.wait) {
    if (flags.json) printJson(batch);
    else
      printLines(
        `Rollout ${batch.id} to ${batch.targetVersion} started: ${batch.waves.length} waves, ${batch.state}.\nFollow it: redis-upgrader rollout status ${batch.id}`,
      );
    return;
  }
  if (!flags.json) printLines(`Rollout ${batch.id} to ${batch.targetVersion}`);
  const final = await followBatch(client, batch.id, flags);
  if (flags.json) printJson(final);
  else printLines(`${final.state}: ${final.reason}`);
}

export function registerRolloutCommand(program: Command): void {
  const rollout = withApiFlags(
    program
      .command('rollout')
      .description(
        'roll a version out across clusters in waves (canary, concurrency, failure budget, bake, window, approvals) on a running API; --dry-run rehearses it',
      )
      .option('--to <version>', 'the target plugin version (required)')
      .option('--clusters <names>', 'the clusters, comma-separated', parseClusterList)
      .option(
        '--selector <selector>',
        'the clusters whose labels match, e.g. "env=prod,tier in (a,b)"',
        parseSelector,
      )
      .option('--name <name>', 'a name for the batch')
      .option(
        '--canary <n|p%>',
        'the first wave: clusters labelled redis-upgrader/canary=true first',
        parseCount,
      )
      .option('--wave-size <n|p%>', 'the size of each later wave', parseCount)
      .addOption(
        new Option('--waves <selectors>', 'later waves by label, in order: "env=dev;env=staging;env=prod"')
          .argParser(parseWaveSelectors)
          .conflicts('waveSize'),
      )
      .option('--max-concurrency <n|p%>', 'jobs running at once within a wave', parseCount)
      .option(
        '--max-failed <n|p%>',
        'failures tolerated before the batch halts; none unless given',
        parseBudget,
      )
      .option(
        '--count-blocked',
        'count blocked clusters (nothing was changed on them) against the failure budget',
      )
      .option('--bake <duration>', 'wait after each wave before re-checking it, e.g. 10m', durationSeconds)
      .option('--approval <mode>', 'none, after-canary or each-wave', parseApproval)
      .option(
        '--window <window>',
        'start jobs only within, e.g. "Mon-Fri 01:00-05:00 Europe/Berlin"',
        parseWindow,
      )
      .option(
        '--unreachable-retries <n>',
        'defer clusters whose API cannot be reached, retry them n times',
        parseRetries,
      )
      .option('--skip-busy', 'skip clusters that have an active job instead of refusing the batch')
      .option('--take-backup', 'back up instances whose backups are stale before upgrading them')
      .addOption(
        new Option(
          '--skip-backup-check',
          'override the backup gate (recorded in every job and logged)',
        ).conflicts('takeBackup'),
      )
      .option('--max-backup-age <duration>', 'how recent backups must be, e.g. 12h', durationSeconds)
      .option('--include-prerelease', 'allow a pre-release target version')
      .option('--callback-url <url>', 'receives signed events of the batch (public http(s) only)')
      .option(
        '--idempotency-key <key>',
        'retry-safe key for the start; a new one per invocation unless given',
      )
      .option(
        '--dry-run',
        'rehearse: read every cluster, print waves, paths, blocks and ETAs; change nothing',
      )
      .option(
        '--wait',
        'follow the rollout on a live board; exit 0 all succeeded, 1 any failed/halted/cancelled, 4 only blocked',
      )
      .option('--interval <seconds>', 'seconds between polls with --wait', positiveSeconds, 2),
  );
  // The subcommands' own --json, --api and --token must not be taken for the parent's.
  rollout.enablePositionalOptions().action(startRollout);
  registerRolloutControlCommands(rollout);
}
