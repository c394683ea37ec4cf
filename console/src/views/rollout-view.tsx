/**
 * One rollout: its state and why, counts per cluster state, the failure budget, the ETA, the
 * controls, the wave grid, and the decisions it recorded. Polled every two seconds while it
 * runs, so cells change state without a reload.
 */
import { api, type Batch } from '../api.ts';
import { dateTime, relative } from '../format.ts';
import { BATCH_MARKS, Mark, ROLLOUT_CLUSTER_MARKS } from '../marks.tsx';
import { href } from '../router.ts';
import { useNow } from '../use-now.ts';
import { usePoll } from '../use-poll.ts';
import { ErrorNote } from './error-note.tsx';
import { RolloutControls } from './rollout-controls.tsx';
import { WaveGrid } from './wave-grid.tsx';

const LIVE_POLL_MS = 2_000;

function Counts({ batch }: { batch: Batch }) {
  const states = (Object.keys(ROLLOUT_CLUSTER_MARKS) as (keyof typeof ROLLOUT_CLUSTER_MARKS)[]).filter(
    (state) => (batch.counts[state] ?? 0) > 0,
  );
  return (
    <ul class="counts" aria-label="Clusters per state">
      {states.map((state) => (
        <li key={state} data-state={state}>
          <Mark spec={ROLLOUT_CLUSTER_MARKS[state]} /> <strong>{batch.counts[state]}</strong>
        </li>
      ))}
    </ul>
  );
}

function Events({ id }: { id: string }) {
  const events = usePoll(() => api.batchEvents(id), LIVE_POLL_MS * 3, id);
  const items = events.data?.items ?? [];
  return (
    <section aria-labelledby="decisions-title">
      <h2 id="decisions-title">Decisions</h2>
      <ErrorNote error={events.error} />
      <ol class="events">
        {[...items].reverse().map((event) => (
          <li key={event.id}>
            <time dateTime={event.at}>{dateTime(event.at)}</time> <code>{event.type}</code>
            {event.reason && <p class="reason">{event.reason}</p>}
          </li>
        ))}
      </ol>
    </section>
  );
}

export function RolloutView({ id }: { id: string }) {
  const polled = usePoll(() => api.batch(id), LIVE_POLL_MS, id);
  const now = useNow();
  const batch = polled.data;
  return (
    <section aria-labelledby="rollout-title">
      <p class="crumbs">
        <a href={href.rollouts}>Rollouts</a>
      </p>
      <div class="title-row">
        <h1 id="rollout-title">
          Rollout <code>{batch?.name ?? id}</code>
        </h1>
        {batch && <Mark spec={BATCH_MARKS[batch.state]} />}
        {batch && <RolloutControls batch={batch} onChanged={polled.reload} />}
      </div>
      <ErrorNote error={polled.error} />
      {batch && (
        <>
          <p class="stage" aria-live="polite">
            {batch.reason}
            {batch.windowOpensAt && (
              <span class="countdown"> — the window opens {relative(batch.windowOpensAt, now)}</span>
            )}
          </p>
          <dl class="facts">
            <dt>Target</dt>
            <dd class="version">{batch.targetVersion}</dd>
            <dt>Failures</dt>
            <dd>
              {batch.failures.counted} counted of {batch.failures.tolerated} tolerated
            </dd>
            <dt>ETA</dt>
            <dd>
              {batch.eta
                ? `${relative(batch.eta, now)} (${dateTime(batch.eta)})`
                : 'none while it waits on a person or is over'}
            </dd>
            <dt>Started</dt>
            <dd>{batch.startedAt ? dateTime(batch.startedAt) : 'not yet'}</dd>
          </dl>
          <Counts batch={batch} />
          <WaveGrid batch={batch} now={now} />
          <Events id={id} />
        </>
      )}
    </section>
  );
}
