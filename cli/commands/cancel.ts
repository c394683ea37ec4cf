/**
 * `redis-upgrader cancel ID`: cancels an upgrade job. Before the hop's point of no return (the
 * InstallPlan approval, or the push on an Automatic subscription) it ends at once; after it the
 * request is recorded and the job stops once that hop is verified.
 */
import type { Command } from 'commander';
import { type ApiFlags, apiClientFor, withApiFlags } from '#cli/api-flags.ts';
import { printJson, printLines } from '#cli/output.ts';
import type { JobView } from '#shared/http/api-replies.ts';

interface CancelFlags extends ApiFlags {
  note?: string;
}

export function renderCancel(job: JobView): string {
  const which = `Upgrade ${job.id} of cluster ${job.cluster}`;
  if (job.state === 'cancelled') return `${which} cancelled: ${job.reason ?? 'on request'}.`;
  return `${which} is past the point of no return of its hop (${job.state}): cancel recorded; it stops once that hop is verified.\nFollow it: redis-upgrader status ${job.id}`;
}

export function registerCancelCommand(program: Command): void {
  withApiFlags(
    program
      .command('cancel')
      .description('cancel an upgrade job, at once when safe, else after its current hop is verified')
      .argument('<job-id>', 'the job id `upgrade` printed')
      .option('--note <text>', "why, quoted in the job's reason"),
  ).action(async (id: string, flags: CancelFlags, command: Command) => {
    const job = await apiClientFor(command).cancelUpgrade(id, flags.note);
    if (flags.json) printJson(job);
    else printLines(renderCancel(job));
  });
}
