/** A job's path and past: the hops from the installed version to the target, its transitions, its events. */
import type { Job, JobEvent } from '../api.ts';
import { clock, dateTime } from '../format.ts';
import { JOB_MARKS, Mark, type MarkSpec } from '../marks.tsx';
import { ErrorNote } from './error-note.tsx';

const HOP_MARKS: Record<'done' | 'current' | 'next', MarkSpec> = {
  done: { tone: 'ok', shape: 'check', label: 'done' },
  current: { tone: 'run', shape: 'half', label: 'in progress' },
  next: { tone: 'wait', shape: 'ring', label: 'not started' },
};

function hopState(job: Job, index: number): keyof typeof HOP_MARKS {
  if (job.state === 'succeeded' || index < job.hop) return 'done';
  if (index === job.hop && !job.finishedAt && job.plan) return 'current';
  return 'next';
}

export function HopPath({ job }: { job: Job }) {
  if (!job.plan) {
    return (
      <p class="muted">The hop path is planned once validate has read the cluster's installed version.</p>
    );
  }
  if (job.plan.length === 0) return <p>No hop: the cluster already ran {job.targetVersion}.</p>;
  return (
    <section aria-labelledby="hops-title">
      <h2 id="hops-title">Hop path</h2>
      <ol class="hops">
        <li class="hop-start version">{job.fromVersion}</li>
        {job.plan.map((hop, index) => (
          <li key={hop.csv} class={`hop hop-${hopState(job, index)}`}>
            <Mark spec={HOP_MARKS[hopState(job, index)]} hideLabel />
            <span class="version">{hop.to}</span>
            <span class="muted">
              {' '}
              {hop.kind} · {hop.channel}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}

export function Timeline({ job }: { job: Job }) {
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">Transitions</h2>
      <ol class="timeline">
        {job.transitions.map((transition, index) => (
          <li key={`${transition.at}-${index}`}>
            <time dateTime={transition.at} title={dateTime(transition.at)}>
              {clock(transition.at)}
            </time>
            <Mark spec={JOB_MARKS[transition.to]} />
            {transition.hop !== undefined && <span class="muted"> hop {transition.hop + 1}</span>}
            {transition.reason && <p class="reason">{transition.reason}</p>}
          </li>
        ))}
      </ol>
    </section>
  );
}

export function JobEvents({ events, error }: { events: JobEvent[] | undefined; error: Error | undefined }) {
  return (
    <section aria-labelledby="events-title">
      <h2 id="events-title">Events sent to webhooks</h2>
      <ErrorNote error={error} />
      {events && events.length === 0 && <p class="muted">No events recorded for this job.</p>}
      {events && events.length > 0 && (
        <ol class="events">
          {events.map((event) => (
            <li key={event.id}>
              <time dateTime={event.occurredAt}>{clock(event.occurredAt)}</time> <code>{event.type}</code>{' '}
              <span class="muted">id {event.id}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
