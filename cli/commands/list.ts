/** `redis-upgrader list`: upgrade jobs, newest first, filtered by cluster, state and batch. */
import { type Command, Option } from 'commander';
import { type ApiFlags, apiClientFor, parsedBy, withApiFlags } from '#cli/api-flags.ts';
import { printJson, printLines } from '#cli/output.ts';
import { hopPath } from '#cli/progress-view.ts';
import { renderTable } from '#cli/table.ts';
import { isTerminal } from '#cli/wait-for-job.ts';
import type { JobView } from '#shared/http/api-replies.ts';
import { jobStateSchema, listUpgradesQuery } from '#shared/http/schemas.ts';

interface ListFlags extends ApiFlags {
  cluster?: string;
  state?: JobView['state'];
  batch?: string;
  limit?: number;
}

export function renderJobs(jobs: readonly JobView[]): string {
  if (jobs.length === 0) return 'No upgrade jobs match.';
  return renderTable(
    ['ID', 'CLUSTER', 'STATE', 'PATH', 'CREATED', 'REASON'],
    jobs.map((job) => [
      job.id,
      job.cluster,
      job.state,
      hopPath(job),
      job.createdAt,
      isTerminal(job.state) && job.state !== 'succeeded' ? (job.reason ?? '') : '',
    ]),
  );
}

export function registerListCommand(program: Command): void {
  withApiFlags(
    program
      .command('list')
      .description('list upgrade jobs, newest first, filtered by cluster, state or batch')
      .option('--cluster <name>', 'only the jobs of this cluster')
      .addOption(new Option('--state <state>', 'only the jobs in this state').choices(jobStateSchema.options))
      .option('--batch <id>', 'only the jobs of this batch')
      .option('--limit <n>', 'at most this many jobs (1-1000)', parsedBy(listUpgradesQuery.shape.limit)),
  ).action(async (flags: ListFlags, command: Command) => {
    const { cluster, state, batch, limit } = flags;
    const jobs = await apiClientFor(command).listUpgrades({ cluster, state, batch, limit });
    if (flags.json) printJson({ items: jobs });
    else printLines(renderJobs(jobs));
  });
}
