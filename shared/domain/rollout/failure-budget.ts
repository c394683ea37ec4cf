/**
 * When a batch halts. A failure is a cluster whose job `failed`, or that failed its re-check
 * after the bake, or (only with `failureBudget.countBlocked`) whose job was `blocked`. Neither
 * a cancelled nor a skipped cluster, nor one deferred as unreachable, is a failure.
 *
 * The batch halts exactly when its failures exceed `maxFailed` (a share of the batch rounds
 * down), or as soon as a canary fails (a failing canary stops the rollout whatever the budget;
 * that is what canaries are for), or when the canary wave completes with no canary upgraded and
 * re-checked (nothing has proven the version yet). Failures accepted on a resume no longer count;
 * an acceptance covers the attempt it was shown, so a later attempt's failure counts.
 */
import { type Batch, type BatchCluster, type Halt, runningJobs } from './batch.ts';
import { resolveTolerance } from './quantity.ts';
import { nameList, runningNote } from './reason-text.ts';

export function isFailure(cluster: BatchCluster, batch: Pick<Batch, 'strategy'>): boolean {
  if (cluster.state === 'failed' || cluster.state === 'recheck-failed') return true;
  return cluster.state === 'blocked' && batch.strategy.failureBudget.countBlocked;
}

/** What an acceptance covers: one attempt of a cluster, or (recorded without attempts) all of them. */
function acceptedKey(name: string, attempt: number | undefined): string {
  return attempt === undefined ? name : `${name}#${attempt}`;
}

function acceptedFailures(batch: Batch): Set<string> {
  return new Set(
    batch.acceptances.flatMap((acceptance) =>
      acceptance.clusters.map((name) => acceptedKey(name, acceptance.attempts?.[name])),
    ),
  );
}

/** Failures that count against the budget now (accepted ones excluded), in batch order. */
export function countedFailures(batch: Batch): BatchCluster[] {
  const accepted = acceptedFailures(batch);
  const isAccepted = (cluster: BatchCluster) =>
    accepted.has(cluster.name) || accepted.has(acceptedKey(cluster.name, cluster.attempt));
  return batch.clusters.filter((cluster) => isFailure(cluster, batch) && !isAccepted(cluster));
}

/** How many failures the batch tolerates. */
export function tolerance(batch: Batch): number {
  return resolveTolerance(batch.strategy.failureBudget.maxFailed, batch.clusters.length);
}

function described(clusters: readonly BatchCluster[]): string {
  const shown = clusters
    .slice(0, 10)
    .map((cluster) => `${cluster.name} (${cluster.state}: ${cluster.reason ?? 'no reason given'})`);
  return nameList(shown.concat(clusters.slice(10).map((cluster) => cluster.name)), 10);
}

/** The halt the batch's failures call for now, or undefined. */
export function haltForFailures(batch: Batch, at: Date): Halt | undefined {
  const failures = countedFailures(batch);
  const canaries = failures.filter((cluster) => batch.waves[cluster.wave]?.kind === 'canary');
  const allowed = tolerance(batch);
  const then = `no new job starts${runningNote(runningJobs(batch))}; resume with acceptFailures: true to go on`;
  if (canaries.length > 0) {
    return {
      at: at.toISOString(),
      reason: `canary failed: ${described(canaries)}; ${then}`,
      clusters: canaries.map((cluster) => cluster.name),
    };
  }
  if (failures.length <= allowed) return undefined;
  return {
    at: at.toISOString(),
    reason: `failure budget exceeded: ${failures.length} failed where ${allowed} ${allowed === 1 ? 'is' : 'are'} tolerated: ${described(failures)}; ${then}`,
    clusters: failures.map((cluster) => cluster.name),
  };
}

/** At the canary wave's completion: the halt when no canary was upgraded and re-checked. */
export function haltForUnprovenCanary(batch: Batch, wave: number, at: Date): Halt | undefined {
  const canaries = batch.clusters.filter((cluster) => cluster.wave === wave);
  if (canaries.some((cluster) => cluster.state === 'succeeded')) return undefined;
  return {
    at: at.toISOString(),
    reason: `no canary was upgraded and re-checked, so nothing has proven ${batch.targetVersion} yet: ${described(canaries)}; resume with acceptFailures: true to go on without a proven canary`,
    clusters: canaries.map((cluster) => cluster.name),
  };
}
