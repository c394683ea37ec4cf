/**
 * One row per cluster: a checkbox to select it for a rollout, its platform and labels, the
 * operator version it runs and its health with what is wrong, and how old that reading is.
 * On a narrow screen each row becomes a card (styles.css), the cells labelled by data-label.
 */
import type { ClusterItem } from '../api.ts';
import { duration } from '../format.ts';
import { HEALTH_MARKS, Mark } from '../marks.tsx';

interface Props {
  items: readonly ClusterItem[];
  selected: ReadonlySet<string>;
  onSelect(selected: ReadonlySet<string>): void;
}

function Health({ cluster }: { cluster: ClusterItem }) {
  const status = cluster.status;
  if (!status) return <span class="muted">not read</span>;
  const [first, ...more] = status.problems;
  return (
    <div class="health">
      <Mark spec={HEALTH_MARKS[status.health]} />
      {first && (
        <details class="problems">
          <summary>{more.length ? `${status.problems.length} problems` : 'why'}</summary>
          <ul>
            {status.problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

export function FleetTable({ items, selected, onSelect }: Props) {
  const toggle = (name: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(name);
    else next.delete(name);
    onSelect(next);
  };
  const allOn = items.length > 0 && items.every((cluster) => selected.has(cluster.name));
  const setAll = (on: boolean) => {
    const next = new Set(selected);
    for (const cluster of items) {
      if (on) next.add(cluster.name);
      else next.delete(cluster.name);
    }
    onSelect(next);
  };
  return (
    <table class="fleet cards">
      <caption class="visually-hidden">Registered clusters</caption>
      <thead>
        <tr>
          <th scope="col">
            <input
              type="checkbox"
              aria-label="Select every cluster shown"
              checked={allOn}
              onChange={(event) => setAll(event.currentTarget.checked)}
            />
          </th>
          <th scope="col">Cluster</th>
          <th scope="col">Platform</th>
          <th scope="col">Labels</th>
          <th scope="col">Operator</th>
          <th scope="col">Health</th>
          <th scope="col">Instances</th>
          <th scope="col">Read</th>
        </tr>
      </thead>
      <tbody>
        {items.map((cluster) => {
          const status = cluster.status;
          return (
            <tr key={cluster.name} data-cluster={cluster.name}>
              <td data-label="Select">
                <input
                  type="checkbox"
                  aria-label={`Select ${cluster.name}`}
                  checked={selected.has(cluster.name)}
                  onChange={(event) => toggle(cluster.name, event.currentTarget.checked)}
                />
              </td>
              <th scope="row" data-label="Cluster">
                {cluster.name}
              </th>
              <td data-label="Platform">{status?.platformVersion ?? cluster.platformVersion ?? '–'}</td>
              <td data-label="Labels">
                <ul class="chips">
                  {Object.entries(cluster.labels ?? {}).map(([key, value]) => (
                    <li key={key}>
                      {key}={value}
                    </li>
                  ))}
                </ul>
              </td>
              <td data-label="Operator" class="version">
                {status?.installedVersion ?? '–'}
              </td>
              <td data-label="Health">
                <Health cluster={cluster} />
              </td>
              <td data-label="Instances">
                {status ? `${status.instances.ready}/${status.instances.total} ready` : '–'}
              </td>
              <td data-label="Read">{status ? `${duration(status.ageSeconds)} ago` : '–'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
