/**
 * One cluster read for a rehearsal: what validate and check-backup would read and decide
 * (installed version, platform version, the plan, another operator's pending InstallPlan,
 * instances, capacity, PVCs, backups), with the very functions those stages use, and nothing
 * written. The answer is the hops the cluster would take or the reason it would block.
 */
import type { Catalog } from '#domain/catalog.ts';
import type { Approval } from '#domain/cluster-views.ts';
import { PlanError, TransientError, UpgraderError } from '#domain/errors.ts';
import { checkForeignPendingPlans } from '#domain/install-plan-gate.ts';
import type { JobOptions } from '#domain/job.ts';
import { planUpgrade } from '#domain/planner.ts';
import { checkBackups, formatAge, summarizeFindings } from '#domain/prerequisites.ts';
import type { ClusterForecast } from '#domain/rollout/rehearsal.ts';
import type { ClusterClient, ClusterGateway, ClusterRecord } from '#shared/ports.ts';
import type { PipelineConfig } from '#usecases/pipeline-config.ts';
import { checkPrerequisites, readInstalled } from '#usecases/validate.ts';

export interface ForecastDeps {
  gateway: ClusterGateway;
  catalog: Catalog;
  config: Pick<PipelineConfig, 'headroom' | 'backupMaxAgeSeconds'>;
  now: Date;
}

/** The forecast and what was read on the way (absent where the read stopped first). */
export interface ClusterRead {
  forecast: ClusterForecast;
  installedVersion?: string;
  platformVersion?: string;
  approval?: Approval;
}

interface Target {
  targetVersion: string;
  options: JobOptions;
}

async function backupProblem(
  client: ClusterClient,
  deps: ForecastDeps,
  options: JobOptions,
): Promise<string | undefined> {
  if (options.skipBackupCheck || options.takeBackup) return undefined;
  const [instances, backups] = await Promise.all([client.listRedisInstances(), client.listRedisBackups()]);
  const maxAgeSeconds = options.maxBackupAgeSeconds ?? deps.config.backupMaxAgeSeconds;
  const findings = checkBackups(instances, backups, { maxAgeSeconds, now: deps.now });
  if (findings.length === 0) return undefined;
  return summarizeFindings(`backups are not recent enough (max ${formatAge(maxAgeSeconds)})`, findings);
}

async function read(deps: ForecastDeps, record: ClusterRecord, target: Target): Promise<ClusterRead> {
  const cluster = record.name;
  const client = await deps.gateway.forCluster(record);
  const installed = await readInstalled(client, deps.catalog.package);
  if ('blocked' in installed) return { forecast: { cluster, blocked: installed.blocked } };
  const platform = record.platformVersion ?? (await client.readPlatformVersion());
  const facts = {
    installedVersion: installed.version,
    approval: installed.subscription.approval,
    ...(platform ? { platformVersion: platform } : {}),
  };
  let hops: { from: string; to: string }[];
  try {
    const plan = planUpgrade(deps.catalog, installed.version, target.targetVersion, {
      ...(platform ? { platform } : {}),
      ...(target.options.includePrerelease ? { includePrerelease: true } : {}),
    });
    hops = plan.hops.map(({ from, to }) => ({ from, to }));
  } catch (error) {
    if (!(error instanceof PlanError)) throw error;
    const blocked = `no supported upgrade path from ${installed.version} to ${target.targetVersion}: ${error.message}`;
    return { ...facts, forecast: { cluster, blocked } };
  }
  if (hops.length === 0) return { ...facts, forecast: { cluster, hops } };
  const foreign = checkForeignPendingPlans(
    await client.listInstallPlans(installed.subscription.namespace),
    deps.catalog.package,
  );
  const { problems } = foreign
    ? { problems: foreign }
    : await checkPrerequisites(client, deps.config.headroom);
  const blocked = problems ?? (await backupProblem(client, deps, target.options));
  return { ...facts, forecast: blocked ? { cluster, blocked } : { cluster, hops } };
}

/** Reads `record` as the gates would; a cluster that cannot be read is a forecast block naming why. */
export async function forecastCluster(
  deps: ForecastDeps,
  record: ClusterRecord,
  target: Target,
): Promise<ClusterRead> {
  try {
    return await read(deps, record, target);
  } catch (error) {
    if (!(error instanceof UpgraderError)) throw error;
    const what = error instanceof TransientError ? 'unreachable' : 'could not be read';
    return { forecast: { cluster: record.name, blocked: `${what}: ${error.message}` } };
  }
}
