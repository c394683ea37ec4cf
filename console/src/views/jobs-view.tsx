/** The newest jobs, each linking to its own view. */
import { api } from '../api.ts';
import { dateTime } from '../format.ts';
import { JOB_MARKS, Mark } from '../marks.tsx';
import { href } from '../router.ts';
import { usePoll } from '../use-poll.ts';
import { ErrorNote } from './error-note.tsx';

export function JobsView() {
  const jobs = usePoll(() => api.jobs({ limit: 100 }), 5_000, 'jobs');
  const items = jobs.data?.items ?? [];
  return (
    <section aria-labelledby="jobs-title">
      <div class="title-row">
        <h1 id="jobs-title">Jobs</h1>
        <span class="muted">newest first</span>
      </div>
      <ErrorNote error={jobs.error} />
      {jobs.data && items.length === 0 && <p class="muted">No jobs yet.</p>}
      <table class="cards">
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Cluster</th>
            <th scope="col">State</th>
            <th scope="col">Target</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {items.map((job) => (
            <tr key={job.id}>
              <td data-label="Job">
                <a href={href.job(job.id)}>{job.id}</a>
              </td>
              <td data-label="Cluster">{job.cluster}</td>
              <td data-label="State">
                <Mark spec={JOB_MARKS[job.state]} />
                {job.waitingFor && <span class="muted"> {job.waitingFor}</span>}
              </td>
              <td data-label="Target" class="version">
                {job.targetVersion}
              </td>
              <td data-label="Updated">{dateTime(job.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
