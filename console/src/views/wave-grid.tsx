/**
 * The rollout at a glance: one row per wave, one cell per cluster, each cell coloured AND shaped
 * by the cluster's state. Hovering or focusing a cell shows its state, hop, duration and reason
 * (a tooltip tied to the cell by aria-describedby, so screen readers read it too); choosing it
 * (click, Enter, Space) opens the cluster's details with its whole reason and its job.
 */
import { useState } from 'preact/hooks';
import type { Batch, BatchCluster, Wave } from '../api.ts';
import { duration, relative } from '../format.ts';
import { Mark, ROLLOUT_CLUSTER_MARKS, WAVE_MARKS } from '../marks.tsx';
import { href } from '../router.ts';

const cellId = (wave: number, cluster: string) => `cell-${wave}-${cluster}`;

function Tip({ cluster, id, now }: { cluster: BatchCluster; id: string; now: Date }) {
  return (
    <span role="tooltip" id={id} class="tip">
      <strong>{cluster.name}</strong>: {ROLLOUT_CLUSTER_MARKS[cluster.state].label}
      {cluster.hop && <span class="tip-line">{cluster.hop}</span>}
      {cluster.durationSeconds !== undefined && (
        <span class="tip-line">{duration(cluster.durationSeconds)}</span>
      )}
      {cluster.retryAt && <span class="tip-line">retry {relative(cluster.retryAt, now)}</span>}
      {cluster.reason && <span class="tip-line reason">{cluster.reason}</span>}
    </span>
  );
}

function WaveHeader({ wave, now }: { wave: Wave; now: Date }) {
  const baking = wave.state === 'baking' && wave.bakeUntil;
  return (
    <div class="wave-head">
      <strong>{wave.label}</strong>
      <Mark spec={WAVE_MARKS[wave.state]} />
      <span class="muted">
        {wave.clusters.length} cluster{wave.clusters.length === 1 ? '' : 's'}, up to {wave.maxConcurrency} at
        once
      </span>
      {baking && <span class="countdown">bake ends {relative(wave.bakeUntil as string, now)}</span>}
      {wave.eta && wave.state !== 'completed' && <span class="countdown">ETA {relative(wave.eta, now)}</span>}
    </div>
  );
}

function Details({ cluster, onClose }: { cluster: BatchCluster; onClose(): void }) {
  return (
    <section class="cluster-details" aria-labelledby="cluster-details-title">
      <h3 id="cluster-details-title">
        {cluster.name} <Mark spec={ROLLOUT_CLUSTER_MARKS[cluster.state]} />
      </h3>
      {cluster.reason ? <p class="reason">{cluster.reason}</p> : <p class="muted">No reason recorded.</p>}
      <p>
        {cluster.hop && <span>{cluster.hop}. </span>}
        Attempt {cluster.attempt}.
        {cluster.jobId && (
          <>
            {' '}
            <a href={href.job(cluster.jobId)}>Open its job</a>
          </>
        )}
      </p>
      <button type="button" class="quiet" onClick={onClose}>
        Close
      </button>
    </section>
  );
}

export function WaveGrid({ batch, now }: { batch: Batch; now: Date }) {
  const [open, setOpen] = useState<string>();
  const chosen = batch.waves.flatMap((wave) => wave.clusters).find((cluster) => cluster.name === open);
  return (
    <section aria-labelledby="waves-title">
      <h2 id="waves-title">Waves</h2>
      <ol class="waves">
        {batch.waves.map((wave) => (
          <li key={wave.index} class={`wave wave-${wave.state}`} data-wave={wave.index}>
            <WaveHeader wave={wave} now={now} />
            <ul class="cells">
              {wave.clusters.map((cluster) => {
                const tip = `${cellId(wave.index, cluster.name)}-tip`;
                const spec = ROLLOUT_CLUSTER_MARKS[cluster.state];
                return (
                  <li key={cluster.name}>
                    <button
                      type="button"
                      class={`cell tone-${spec.tone}`}
                      data-cluster={cluster.name}
                      data-state={cluster.state}
                      aria-describedby={tip}
                      aria-expanded={open === cluster.name}
                      onClick={() => setOpen(open === cluster.name ? undefined : cluster.name)}
                    >
                      <Mark spec={spec} hideLabel />
                      <span class="cell-name">{cluster.name}</span>
                    </button>
                    <Tip cluster={cluster} id={tip} now={now} />
                  </li>
                );
              })}
            </ul>
          </li>
        ))}
      </ol>
      {chosen && <Details cluster={chosen} onClose={() => setOpen(undefined)} />}
    </section>
  );
}
