/** `redis-upgrader plan`: the supported upgrade path between two versions, from the catalog. */
import { relative } from 'node:path';
import type { Command } from 'commander';
import { readCatalogFile } from '#adapters/local/catalog-file.ts';
import { catalogOption, resolveCatalogPath } from '#cli/catalog-path.ts';
import { printJson, printLines } from '#cli/output.ts';
import { renderTable } from '#cli/table.ts';
import { planUpgrade, type UpgradePlan } from '#domain/planner.ts';
import { hopView } from '#shared/http/job-view.ts';

interface PlanFlags {
  from?: string;
  to?: string;
  catalog?: string;
  platform?: string;
  includePrerelease?: boolean;
  json?: boolean;
}

function displayPath(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere.startsWith('..') ? path : fromHere;
}

/** Said whenever the plan was made without a platform: its ranges can cut hops this one takes. */
const PLATFORM_NOT_CHECKED =
  "Note: no --platform given, so the ACP platform ranges were not checked; on the cluster's platform the path may differ or not exist.";

function renderPlan(plan: UpgradePlan, catalogPath: string): string {
  const rendered = renderHops(plan, catalogPath);
  return plan.platform === undefined && plan.hops.length > 0
    ? `${rendered}\n\n${PLATFORM_NOT_CHECKED}`
    : rendered;
}

function renderHops(plan: UpgradePlan, catalogPath: string): string {
  const on = plan.platform === undefined ? '' : ` on ACP ${plan.platform}`;
  const source = `catalog ${displayPath(catalogPath)}`;
  if (plan.hops.length === 0) return `Already at ${plan.to}${on}: nothing to do (${source}).`;
  const count = plan.hops.length === 1 ? '1 hop' : `${plan.hops.length} hops`;
  const table = renderTable(
    ['#', 'FROM', 'TO', 'KIND', 'CSV', 'CHANNEL'],
    plan.hops.map((hop, index) => [String(index + 1), hop.from, hop.to, hop.kind, hop.csv, hop.channel]),
  );
  return `Upgrade ${plan.from} -> ${plan.to}${on}: ${count} (${source})\n\n${table}`;
}

export function registerPlanCommand(program: Command): void {
  program
    .command('plan')
    .description('print the supported upgrade path (hops) between two plugin versions')
    // Checked in the action rather than with requiredOption, so a mistyped flag (--form) is
    // reported as unknown, with a suggestion, instead of as "--from missing".
    .option('--from <version>', 'the installed version (required)')
    .option('--to <version>', 'the target version, listed in the catalog (required)')
    .addOption(catalogOption())
    .option(
      '--platform <version>',
      "the cluster's ACP version; without it the platform ranges are not checked and the path may differ",
    )
    .option('--include-prerelease', 'allow a pre-release as the target')
    .option('--json', 'machine-readable output')
    .action(async (flags: PlanFlags, command: Command) => {
      const { from, to } = flags;
      if (from === undefined || to === undefined) {
        command.error(`required option '--${from === undefined ? 'from' : 'to'} <version>' not specified`);
      }
      const catalogPath = resolveCatalogPath(flags.catalog);
      const catalog = await readCatalogFile(catalogPath);
      const plan = planUpgrade(catalog, from, to, {
        ...(flags.platform === undefined ? {} : { platform: flags.platform }),
        includePrerelease: flags.includePrerelease === true,
      });
      if (flags.json === true) {
        printJson({
          from: plan.from,
          to: plan.to,
          platform: plan.platform ?? null,
          platformChecked: plan.platform !== undefined,
          hops: plan.hops.map(hopView),
        });
        return;
      }
      printLines(renderPlan(plan, catalogPath));
    });
}
