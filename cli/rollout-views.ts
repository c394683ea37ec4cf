/** How a rehearsal, a batch list and a batch's events read as text (`rollout --dry-run`, `rollout list|status`). */

import ms from 'ms';
import type { BatchEventReply } from '#cli/api-client.ts';
import { renderTable } from '#cli/table.ts';
import type { BatchSummaryReply, RehearsalReply } from '#shared/http/batch-replies.ts';

function offset(at: string, start: number): string {
  return `+${ms(Math.max(0, Date.parse(at) - start))}`;
}

/** Every wave and cluster with its path or why it would block, the predicted times, the notes. */
export function renderRehearsal(rehearsal: RehearsalReply, now: number): string {
  const blocked = rehearsal.waves.flatMap((wave) => wave.clusters.filter((cluster) => cluster.blocked));
  const clusters = rehearsal.waves.reduce((sum, wave) => sum + wave.clusters.length, 0);
  const head = `Rehearsal of a rollout to ${rehearsal.targetVersion}: ${clusters} clusters in ${rehearsal.waves.length} waves, ${blocked.length} would block, done ${offset(rehearsal.eta, now)} (ETA ${rehearsal.eta}). Nothing was changed.`;
  const rows = rehearsal.waves.flatMap((wave) =>
    wave.clusters.map((cluster) => [
      wave.label + (wave.waitsForApproval ? ' (approval)' : ''),
      cluster.name,
      cluster.installedVersion ?? '?',
      cluster.blocked
        ? 'blocked'
        : [
            cluster.hops[0]?.from ?? cluster.installedVersion ?? '?',
            ...cluster.hops.map((hop) => hop.to),
          ].join('>'),
      offset(cluster.startsAt, now),
      `${offset(cluster.endsAt, now)}${cluster.measured ? '' : ' (est.)'}`,
    ]),
  );
  const table = renderTable(['WAVE', 'CLUSTER', 'INSTALLED', 'PATH', 'STARTS', 'ENDS'], rows);
  const reasons = blocked.map((cluster) => `  ${cluster.name}: ${cluster.blocked}`);
  return [
    head,
    '',
    table,
    ...(reasons.length > 0 ? ['', 'would block:', ...reasons] : []),
    ...(rehearsal.notes.length > 0 ? ['', 'notes:', ...rehearsal.notes.map((note) => `  ${note}`)] : []),
  ].join('\n');
}

export function renderBatchList(batches: readonly BatchSummaryReply[]): string {
  if (batches.length === 0) return 'No batches.';
  return renderTable(
    ['ID', 'NAME', 'TARGET', 'STATE', 'WAVES', 'SUCCEEDED', 'FAILED', 'BLOCKED', 'CREATED'],
    batches.map((batch) => [
      batch.id,
      batch.name ?? '',
      batch.targetVersion,
      batch.state,
      `${Math.min(batch.currentWave, batch.waveCount)}/${batch.waveCount}`,
      String(batch.counts.succeeded),
      String(batch.counts.failed + batch.counts['recheck-failed']),
      String(batch.counts.blocked),
      batch.createdAt,
    ]),
  );
}

export function renderBatchEvents(events: readonly BatchEventReply[]): string {
  return renderTable(
    ['AT', 'EVENT', 'REASON'],
    events.map((event) => [event.at, event.type, event.reason]),
  );
}
