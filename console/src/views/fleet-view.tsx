/**
 * The fleet: every registered cluster with its platform, labels, installed operator version and
 * health (read from the cluster by the API, cached, with its age), filtered by label selector
 * (on the server, with the rollout's semantics), version and health; the version distribution at
 * a glance; clusters selected here are what a rollout is rehearsed and started on.
 */
import { useMemo, useState } from 'preact/hooks';
import { api, type ClusterItem } from '../api.ts';
import { HEALTH_MARKS } from '../marks.tsx';
import { usePoll } from '../use-poll.ts';
import { ErrorNote } from './error-note.tsx';
import { FleetTable } from './fleet-table.tsx';
import { RolloutLauncher } from './rollout-launcher.tsx';
import { byVersion, HealthSummary, VersionDistribution, versionOf } from './version-distribution.tsx';

const FLEET_POLL_MS = 15_000;

export interface FleetFilter {
  version: string;
  health: string;
}

function shownBy(filter: FleetFilter) {
  return (cluster: ClusterItem) =>
    (!filter.version || versionOf(cluster) === filter.version) &&
    (!filter.health || cluster.status?.health === filter.health);
}

/** A filter by one of `options`, or by none ("any"). */
function Choice(props: {
  label: string;
  name: string;
  value: string;
  options: string[];
  onPick(value: string): void;
}) {
  return (
    <label>
      {props.label}
      <select
        name={props.name}
        value={props.value}
        onChange={(event) => props.onPick(event.currentTarget.value)}
      >
        <option value="">any</option>
        {props.options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </label>
  );
}

export function FleetView() {
  const [draft, setDraft] = useState('');
  const [selector, setSelector] = useState('');
  const [filter, setFilter] = useState<FleetFilter>({ version: '', health: '' });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const fleet = usePoll(() => api.fleet(selector), FLEET_POLL_MS, selector);
  const items = fleet.data?.items ?? [];
  const shown = useMemo(() => items.filter(shownBy(filter)), [items, filter]);
  const chosen = shown.filter((cluster) => selected.has(cluster.name)).map((cluster) => cluster.name);

  return (
    <section aria-labelledby="fleet-title">
      <div class="title-row">
        <h1 id="fleet-title">Fleet</h1>
        <span class="muted" aria-live="polite">
          {fleet.data ? `${items.length} cluster${items.length === 1 ? '' : 's'}` : 'Reading the fleet…'}
        </span>
        <button type="button" class="quiet" onClick={fleet.reload}>
          Refresh
        </button>
      </div>
      <ErrorNote error={fleet.error} />
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          setSelector(draft.trim());
        }}
      >
        <label>
          Label selector
          <input
            name="selector"
            placeholder="env=prod,region in (eu,us)"
            value={draft}
            onInput={(event) => setDraft(event.currentTarget.value)}
          />
        </label>
        <button type="submit">Filter</button>
        <Choice
          label="Version"
          name="version"
          value={filter.version}
          options={byVersion(items).map(([version]) => version)}
          onPick={(version) => setFilter({ ...filter, version })}
        />
        <Choice
          label="Health"
          name="health"
          value={filter.health}
          options={Object.keys(HEALTH_MARKS)}
          onPick={(health) => setFilter({ ...filter, health })}
        />
      </form>
      <div class="summaries">
        <VersionDistribution
          items={items}
          active={filter.version}
          onPick={(version) => setFilter({ ...filter, version: filter.version === version ? '' : version })}
        />
        <HealthSummary items={items} />
      </div>
      <p class="muted">{chosen.length} selected</p>
      <RolloutLauncher clusters={chosen} />
      <FleetTable items={shown} selected={selected} onSelect={setSelected} />
    </section>
  );
}
