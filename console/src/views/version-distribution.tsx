/**
 * The fleet at a glance: how many clusters run each operator version (newest first, a bar per
 * version, each a button that filters the table), and how many are in each health state.
 */
import compare from 'semver/functions/compare';
import valid from 'semver/functions/valid';
import type { ClusterItem } from '../api.ts';
import { HEALTH_MARKS, Mark } from '../marks.tsx';

export const UNKNOWN_VERSION = 'unknown';

export function versionOf(cluster: ClusterItem): string {
  return cluster.status?.installedVersion ?? UNKNOWN_VERSION;
}

/** [version, count] pairs, newest version first, clusters of no known version last. */
export function byVersion(items: readonly ClusterItem[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const cluster of items) counts.set(versionOf(cluster), (counts.get(versionOf(cluster)) ?? 0) + 1);
  const rank = (version: string) => (valid(version) ? version : '0.0.0');
  return [...counts].sort(([a], [b]) => compare(rank(b), rank(a)) || a.localeCompare(b));
}

export function VersionDistribution(props: {
  items: readonly ClusterItem[];
  active: string;
  onPick(version: string): void;
}) {
  const total = props.items.length;
  if (total === 0) return null;
  return (
    <figure class="distribution" aria-labelledby="versions-caption">
      <figcaption id="versions-caption">Operator versions</figcaption>
      <ul>
        {byVersion(props.items).map(([version, count]) => (
          <li key={version}>
            <button
              type="button"
              class="bar-row"
              aria-pressed={props.active === version}
              title={`Show only the clusters on ${version}`}
              onClick={() => props.onPick(version)}
            >
              <span class="bar-label">{version}</span>
              <meter min={0} max={total} value={count} aria-hidden="true" />
              <span class="bar-count">
                {count}
                <span class="visually-hidden"> of {total} clusters</span>
              </span>
            </button>
          </li>
        ))}
      </ul>
    </figure>
  );
}

export function HealthSummary({ items }: { items: readonly ClusterItem[] }) {
  if (items.length === 0) return null;
  const states = Object.keys(HEALTH_MARKS) as (keyof typeof HEALTH_MARKS)[];
  return (
    <figure class="health-summary" aria-labelledby="health-caption">
      <figcaption id="health-caption">Health</figcaption>
      <ul>
        {states.map((state) => (
          <li key={state}>
            <Mark spec={HEALTH_MARKS[state]} />
            <strong>{items.filter((cluster) => cluster.status?.health === state).length}</strong>
          </li>
        ))}
      </ul>
    </figure>
  );
}
