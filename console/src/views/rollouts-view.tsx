/** Every rollout, newest first, with its state and counts; each links to its own view. */
import { api, type BatchSummary } from '../api.ts';
import { dateTime } from '../format.ts';
import { BATCH_MARKS, Mark } from '../marks.tsx';
import { href } from '../router.ts';
import { usePoll } from '../use-poll.ts';
import { ErrorNote } from './error-note.tsx';

/** A finished batch's current wave is past its last one (the index it stopped looking at). */
function waves({ currentWave, waveCount }: BatchSummary) {
  return currentWave >= waveCount
    ? `waves done: ${waveCount} of ${waveCount}`
    : `wave ${currentWave + 1} of ${waveCount}`;
}

export function RolloutsView() {
  const batches = usePoll(() => api.batches(), 5_000, 'batches');
  const items = batches.data?.items ?? [];
  return (
    <section aria-labelledby="rollouts-title">
      <div class="title-row">
        <h1 id="rollouts-title">Rollouts</h1>
        <span class="muted">start one from the Fleet view</span>
      </div>
      <ErrorNote error={batches.error} />
      {batches.data && items.length === 0 && <p class="muted">No rollouts yet.</p>}
      <table class="cards">
        <thead>
          <tr>
            <th scope="col">Rollout</th>
            <th scope="col">State</th>
            <th scope="col">Target</th>
            <th scope="col">Progress</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {items.map((batch) => {
            const total = Object.values(batch.counts).reduce((sum, n) => sum + (n ?? 0), 0);
            return (
              <tr key={batch.id}>
                <td data-label="Rollout">
                  <a href={href.rollout(batch.id)}>{batch.name ?? batch.id}</a>
                </td>
                <td data-label="State">
                  <Mark spec={BATCH_MARKS[batch.state]} />
                </td>
                <td data-label="Target" class="version">
                  {batch.targetVersion}
                </td>
                <td data-label="Progress">
                  {batch.counts.succeeded ?? 0}/{total} succeeded, {waves(batch)}
                </td>
                <td data-label="Created">{dateTime(batch.createdAt)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
