/** `redis-upgrader status ID`: one upgrade job as the API shows it, with its path and transitions. */
import type { Command } from 'commander';
import { type ApiFlags, apiClientFor, withApiFlags } from '#cli/api-flags.ts';
import { printJson, printLines } from '#cli/output.ts';
import { hopLabel, hopPath } from '#cli/progress-view.ts';
import { renderFields, renderTable } from '#cli/table.ts';
import type { JobView } from '#shared/http/api-replies.ts';

export function renderJob(job: JobView): string {
  const head = renderFields([
    ['Job', job.id],
    ['Cluster', job.cluster],
    ['State', [job.state, hopLabel(job)].filter(Boolean).join('  ')],
    ['Path', hopPath(job)],
    ['Platform', job.platformVersion && `ACP ${job.platformVersion}`],
    ['Waiting for', job.waitingFor],
    ['Reason', job.reason],
    ['Cancel', job.cancelRequested ? 'requested' : undefined],
    ['Created', job.createdAt],
    ['Finished', job.finishedAt],
  ]);
  if (job.transitions.length === 0) return head;
  const table = renderTable(
    ['AT', 'FROM', 'TO', 'HOP', 'REASON'],
    job.transitions.map((t) => [
      t.at,
      t.from,
      t.to,
      t.hop === undefined ? '' : String(t.hop + 1),
      t.reason ?? '',
    ]),
  );
  return `${head}\n\n${table}`;
}

export function registerStatusCommand(program: Command): void {
  withApiFlags(
    program
      .command('status')
      .description('show an upgrade job: state, hop path, what it waits for, why it ended, its transitions')
      .argument('<id>', 'the job id `upgrade` printed'),
  ).action(async (id: string, flags: ApiFlags, command: Command) => {
    const job = await apiClientFor(command).getUpgrade(id);
    if (flags.json) printJson(job);
    else printLines(renderJob(job));
  });
}
