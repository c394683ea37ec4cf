/**
 * The re-check after a wave's bake: fresh reads on the cluster, never the job's last status.
 * Healthy means the Subscription's installedCSV is the target's CSV, that CSV is `Succeeded`,
 * and every Redis instance is healthy, including each one the job's validate found (an instance
 * lost since is not a healthy one). A cluster that does not answer is asked again at the next
 * wake-up, until `recheckDeadlineSeconds` after the bake; then it counts as failed.
 */
import type { Catalog } from '#domain/catalog.ts';
import { ConflictError, TransientError, UpgraderError } from '#domain/errors.ts';
import { clusterFactsOf } from '#domain/job.ts';
import {
  checkInstances,
  checkInstancesPresent,
  formatAge,
  summarizeFindings,
} from '#domain/prerequisites.ts';
import type { Batch, BatchCluster } from '#domain/rollout/batch.ts';
import type { RecheckReport } from '#domain/rollout/rollout-reports.ts';
import type { ClusterGateway, ClusterRegistry, JobStore } from '#shared/ports.ts';

export interface RecheckDeps {
  clusters: Pick<ClusterRegistry, 'get'>;
  gateway: ClusterGateway;
  jobs: Pick<JobStore, 'get'>;
  catalog: Catalog;
}

function targetCsv(catalog: Catalog, version: string): string {
  return catalog.versions.find((entry) => entry.version === version)?.csv ?? `${catalog.package}.v${version}`;
}

async function problems(deps: RecheckDeps, batch: Batch, cluster: BatchCluster): Promise<string | undefined> {
  const record = await deps.clusters.get(cluster.name);
  if (!record) return `cluster ${cluster.name} is no longer registered`;
  const client = await deps.gateway.forCluster(record);
  const csvName = targetCsv(deps.catalog, batch.targetVersion);
  const [subscription, csv] = await Promise.all([client.readSubscription(), client.readCsv(csvName)]);
  if (subscription.installedCSV !== csvName) {
    return `Subscription ${subscription.namespace}/${subscription.name} has installedCSV ${subscription.installedCSV ?? 'unset'}, not ${csvName}`;
  }
  if (csv?.phase !== 'Succeeded')
    return `${csvName} is ${csv?.phase ?? 'missing'}${csv?.message ? `: ${csv.message}` : ''}`;
  const job = cluster.jobId ? await deps.jobs.get(cluster.jobId) : undefined;
  const instances = await client.listRedisInstances();
  const findings = [
    ...checkInstancesPresent((job && clusterFactsOf(job).instances) ?? [], instances),
    ...checkInstances(instances),
  ];
  return findings.length === 0 ? undefined : summarizeFindings(`${csvName} Succeeded, but`, findings);
}

/** The re-check of one upgraded cluster, or undefined to ask again later (the cluster did not answer). */
export async function recheckCluster(
  deps: RecheckDeps,
  batch: Batch,
  cluster: BatchCluster,
  options: { now: Date; deadlineSeconds: number },
): Promise<RecheckReport | undefined> {
  const checkedAt = options.now.toISOString();
  try {
    const reason = await problems(deps, batch, cluster);
    return { cluster: cluster.name, checkedAt, healthy: reason === undefined, ...(reason ? { reason } : {}) };
  } catch (error) {
    if (!(error instanceof UpgraderError)) throw error;
    const passing = error instanceof TransientError || error instanceof ConflictError;
    const bakeUntil = Date.parse(batch.waves[cluster.wave]?.bakeUntil ?? checkedAt);
    const waited = (options.now.getTime() - bakeUntil) / 1000;
    if (passing && waited < options.deadlineSeconds) return undefined;
    const reason = passing
      ? `no answer for ${formatAge(options.deadlineSeconds)}: ${error.message}`
      : error.message;
    return { cluster: cluster.name, checkedAt, healthy: false, reason };
  }
}
