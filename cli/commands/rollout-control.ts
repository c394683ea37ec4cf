/**
 * `rollout status|list|pause|resume|cancel|approve`: read and steer a running rollout. Every
 * command prints the batch afterwards; steering commands say what happens to running jobs, since
 * that is what an operator needs to know before and after pressing the button.
 */
import { type Command, InvalidArgumentError } from 'commander';
import type { ApiClient, BatchCommandName } from '#cli/api-client.ts';
import { type ApiFlags, apiClientFor, positiveSeconds, withApiFlags } from '#cli/api-flags.ts';
import { exitCodeForBatch } from '#cli/exit-codes.ts';
import { printJson, printLines } from '#cli/output.ts';
import { boardLines, RolloutBoard } from '#cli/rollout-board.ts';
import { renderBatchEvents, renderBatchList } from '#cli/rollout-views.ts';
import { waitForBatch } from '#cli/wait-for-job.ts';
import type { BatchViewReply } from '#shared/http/batch-replies.ts';

interface ControlFlags extends ApiFlags {
  wait?: boolean;
  interval?: number;
  note?: string;
  acceptFailures?: boolean;
  wave?: number;
  events?: boolean;
}

/** What each command does to the batch's jobs, printed with its result. */
const EFFECTS: Record<BatchCommandName, string> = {
  pause: 'no new job starts; running jobs finish',
  resume: 'jobs start again as the strategy allows',
  cancel: 'jobs not started are cancelled; running ones are asked to cancel and stop at a safe point',
  approve: 'the approved wave may start',
};

/** Follows a batch on the board (none with --json) and sets the rollout exit code. */
export async function followBatch(
  client: ApiClient,
  id: string,
  flags: { json?: boolean; interval?: number },
): Promise<BatchViewReply> {
  const board = flags.json ? undefined : new RolloutBoard(process.stdout);
  const final = await waitForBatch(client, id, {
    intervalMs: (flags.interval ?? 2) * 1000,
    ...(board ? { onUpdate: (view) => board.update(view) } : {}),
  });
  process.exitCode = exitCodeForBatch(final.state, final.counts);
  return final;
}

function waveIndex(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a wave index (0 is the first)');
  return n;
}

function steer(parent: Command, command: BatchCommandName, description: string): Command {
  return withApiFlags(
    parent
      .command(command)
      .description(`${description}: ${EFFECTS[command]}`)
      .argument('<id>', 'the batch id `rollout` printed')
      .option('--note <text>', 'why, recorded in the batch events'),
  );
}

async function runCommand(command: BatchCommandName, id: string, flags: ControlFlags, cli: Command) {
  const body = {
    ...(flags.note ? { note: flags.note } : {}),
    ...(flags.acceptFailures ? { acceptFailures: true } : {}),
    ...(flags.wave === undefined ? {} : { wave: flags.wave }),
  };
  const batch = await apiClientFor(cli).commandBatch(command, id, body);
  if (flags.json) printJson(batch);
  else printLines([`${command}: ${EFFECTS[command]}.`, ...boardLines(batch, Date.now())].join('\n'));
}

export function registerRolloutControlCommands(rollout: Command): void {
  withApiFlags(
    rollout
      .command('status')
      .description('show a rollout: each wave with a cell per cluster, counts, budget, ETA, reasons')
      .argument('<id>', 'the batch id `rollout` printed')
      .option('--events', 'also list the batch events: why each wave started, waited, halted')
      .option(
        '--wait',
        'follow it on the live board until it is over or halted (through approvals and pauses)',
      )
      .option('--interval <seconds>', 'seconds between polls with --wait', positiveSeconds, 2),
  ).action(async (id: string, flags: ControlFlags, cli: Command) => {
    const client = apiClientFor(cli);
    const batch = flags.wait ? await followBatch(client, id, flags) : await client.getBatch(id);
    const events = flags.events ? await client.listBatchEvents(id) : undefined;
    if (flags.json) printJson(events ? { ...batch, events } : batch);
    else if (flags.wait) printLines(`${batch.state}: ${batch.reason}`);
    else
      printLines(
        [...boardLines(batch, Date.now()), ...(events ? ['', renderBatchEvents(events)] : [])].join('\n'),
      );
  });

  withApiFlags(rollout.command('list').description('list rollouts, newest first')).action(
    async (flags: ApiFlags, cli: Command) => {
      const batches = await apiClientFor(cli).listBatches();
      if (flags.json) printJson(batches);
      else printLines(renderBatchList(batches));
    },
  );

  steer(rollout, 'pause', 'pause a rollout').action((id, flags, cli) => runCommand('pause', id, flags, cli));
  steer(rollout, 'resume', 'resume a paused rollout, or a halted one with --accept-failures')
    .option('--accept-failures', 'resume a halted rollout, accepting the failures that halted it (recorded)')
    .action((id, flags, cli) => runCommand('resume', id, flags, cli));
  steer(rollout, 'cancel', 'cancel a rollout').action((id, flags, cli) =>
    runCommand('cancel', id, flags, cli),
  );
  steer(rollout, 'approve', 'approve the wave that awaits approval')
    .option('--wave <index>', 'the wave to approve; the one awaiting approval unless given', waveIndex)
    .action((id, flags, cli) => runCommand('approve', id, flags, cli));
}
