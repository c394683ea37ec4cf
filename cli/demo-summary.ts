/**
 * The demo's verdict: what each simulated cluster should end as, given how the scenario built it
 * (an unhealthy instance, stale backups, a Pending PVC, no headroom or an OLM trap must block; a
 * failing install must fail; everything else must succeed), and the per-cluster summary table.
 */

import { formatSeconds, hopPath } from '#cli/progress-view.ts';
import { renderTable } from '#cli/table.ts';
import type { TerminalState } from '#domain/job.ts';
import type { JobView } from '#shared/http/api-replies.ts';
import type { BatchViewReply } from '#shared/http/batch-replies.ts';
import type { ClusterSpec } from '#sim/cluster-spec.ts';

export interface DemoGates {
  backupMaxAgeSeconds: number;
  takeBackup: boolean;
  minFreePercent: number;
}

export interface Expectation {
  state: TerminalState;
  /** Why the scenario makes this cluster end that way (for blocked/failed). */
  because?: string;
}

export function expectedOutcome(spec: ClusterSpec, gates: DemoGates): Expectation {
  const unhealthy = spec.instances.filter((instance) => !instance.healthy);
  if (unhealthy.length > 0) return { state: 'blocked', because: 'unhealthy Redis instance' };
  if (spec.pvcsPending?.length) return { state: 'blocked', because: 'PVC Pending' };
  if ((1 - spec.requestedFraction) * 100 < gates.minFreePercent)
    return { state: 'blocked', because: 'short headroom' };
  const stale = spec.backupAgeSeconds === null || spec.backupAgeSeconds > gates.backupMaxAgeSeconds;
  if (stale && spec.instances.length > 0 && !gates.takeBackup)
    return { state: 'blocked', because: 'stale backups' };
  if (spec.traps?.mergedPlan) return { state: 'blocked', because: 'InstallPlan trap' };
  if (spec.catalog?.uploaded?.length) return { state: 'blocked', because: 'InstallPlan beyond the target' };
  if (spec.catalog?.bundles) return { state: 'failed', because: 'no upgrade edge in the catalog' };
  if (spec.failUnpack) return { state: 'failed', because: 'bundle unpack failure' };
  if (spec.failInstall) return { state: 'failed', because: 'failing install' };
  return { state: 'succeeded' };
}

export interface SummaryRow {
  cluster: string;
  from: string;
  to: string;
  hops: string;
  result: string;
  expected: TerminalState;
  asExpected: boolean;
  reason: string;
  durationMs: number | null;
}

export function summaryRows(jobs: JobView[], expected: (cluster: string) => Expectation): SummaryRow[] {
  return jobs.map((job) => {
    const expectation = expected(job.cluster);
    const end = job.finishedAt ? Date.parse(job.finishedAt) : undefined;
    return {
      cluster: job.cluster,
      from: job.fromVersion ?? '?',
      to: job.targetVersion,
      hops: hopPath(job),
      result: job.state,
      expected: expectation.state,
      asExpected: job.state === expectation.state && (job.state === 'succeeded' || Boolean(job.reason)),
      reason: job.state === 'succeeded' ? '' : (job.reason ?? ''),
      durationMs: end === undefined ? null : end - Date.parse(job.createdAt),
    };
  });
}

export function renderSummary(rows: SummaryRow[]): string {
  return renderTable(
    ['CLUSTER', 'FROM', 'TO', 'HOPS', 'RESULT', 'DURATION', 'REASON'],
    rows.map((row) => [
      row.cluster,
      row.from,
      row.to,
      row.hops,
      row.asExpected ? row.result : `${row.result} (expected ${row.expected})`,
      row.durationMs === null ? '-' : formatSeconds(row.durationMs),
      row.reason,
    ]),
  );
}

export function verdict(rows: SummaryRow[], elapsedMs: number): string {
  const tally = new Map<string, number>();
  for (const row of rows) tally.set(row.result, (tally.get(row.result) ?? 0) + 1);
  const totals = [...tally].map(([state, n]) => `${n} ${state}`).join(', ');
  const off = rows.filter((row) => !row.asExpected);
  const outcome =
    off.length === 0
      ? 'every cluster ended as its scenario predicts'
      : `UNEXPECTED: ${off.map((row) => `${row.cluster} ${row.result} (expected ${row.expected})`).join(', ')}`;
  return `${rows.length} clusters in ${formatSeconds(elapsedMs)}: ${totals}; ${outcome}`;
}

export interface WaveSummary {
  label: string;
  clusters: number;
  /** Clusters per final state, e.g. { succeeded: 5, blocked: 1 }. */
  outcomes: Record<string, number>;
  /** From its first job's start to its re-check after the bake. */
  durationMs: number | null;
}

export function waveSummaries(batch: Pick<BatchViewReply, 'waves'>): WaveSummary[] {
  return batch.waves.map((wave) => {
    const outcomes: Record<string, number> = {};
    for (const cluster of wave.clusters) outcomes[cluster.state] = (outcomes[cluster.state] ?? 0) + 1;
    const durationMs =
      wave.startedAt && wave.completedAt ? Date.parse(wave.completedAt) - Date.parse(wave.startedAt) : null;
    return { label: wave.label, clusters: wave.clusters.length, outcomes, durationMs };
  });
}

export function renderWaves(waves: WaveSummary[]): string {
  return renderTable(
    ['WAVE', 'CLUSTERS', 'OUTCOME', 'DURATION'],
    waves.map((wave) => [
      wave.label,
      String(wave.clusters),
      Object.entries(wave.outcomes)
        .map(([state, n]) => `${n} ${state}`)
        .join(', '),
      wave.durationMs === null ? '-' : formatSeconds(wave.durationMs),
    ]),
  );
}
