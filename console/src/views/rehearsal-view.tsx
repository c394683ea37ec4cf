/** A rehearsal (`dryRun`): the waves as they would run, each cluster's hops or why it would block, the ETA. */
import type { Rehearsal } from '../api.ts';
import { dateTime, duration } from '../format.ts';
import { Mark, type MarkSpec } from '../marks.tsx';

const WOULD_RUN: MarkSpec = { tone: 'run', shape: 'half', label: 'would upgrade' };
const WOULD_BLOCK: MarkSpec = { tone: 'warn', shape: 'blocked', label: 'would block' };
const AT_TARGET: MarkSpec = { tone: 'ok', shape: 'check', label: 'already there' };

export function RehearsalView({ rehearsal }: { rehearsal: Rehearsal }) {
  return (
    <section class="rehearsal" aria-labelledby="rehearsal-title">
      <h2 id="rehearsal-title">Rehearsal: nothing was changed</h2>
      <p>
        ETA <strong>{dateTime(rehearsal.eta)}</strong> for {rehearsal.targetVersion}.
      </p>
      {rehearsal.notes.length > 0 && (
        <ul class="notes">
          {rehearsal.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
      <ol class="waves">
        {rehearsal.waves.map((wave) => (
          <li key={wave.index} class="wave">
            <div class="wave-head">
              <strong>{wave.label}</strong>
              <span class="muted">
                up to {wave.maxConcurrency} at once{wave.waitsForApproval ? ', waits for approval' : ''}; done
                by {dateTime(wave.completesAt)}
              </span>
            </div>
            <ul class="rehearsed">
              {wave.clusters.map((cluster) => (
                <li key={cluster.name} data-cluster={cluster.name}>
                  <Mark
                    spec={cluster.blocked ? WOULD_BLOCK : cluster.hops.length ? WOULD_RUN : AT_TARGET}
                    hideLabel
                  />
                  <strong>{cluster.name}</strong>{' '}
                  {cluster.blocked ? (
                    <span class="reason">{cluster.blocked}</span>
                  ) : (
                    <span class="version">
                      {[
                        cluster.installedVersion ?? cluster.hops[0]?.from,
                        ...cluster.hops.map((hop) => hop.to),
                      ]
                        .filter(Boolean)
                        .join(' → ')}
                    </span>
                  )}{' '}
                  <span class="muted">
                    ~{duration(cluster.seconds)}
                    {cluster.measured ? ' (measured)' : ' (estimate)'}
                  </span>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
    </section>
  );
}
