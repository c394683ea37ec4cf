/**
 * One job: where it is on its hop path, the stage it is in and what that stage waits for, every
 * transition with its time and reason, the events recorded for webhooks, and cancel (with what
 * cancelling does to an install in progress). Polled while it runs.
 */
import { useState } from 'preact/hooks';
import { api, type Job } from '../api.ts';
import { dateTime } from '../format.ts';
import { JOB_MARKS, Mark } from '../marks.tsx';
import { href } from '../router.ts';
import { usePoll } from '../use-poll.ts';
import { ConfirmDialog } from './confirm-dialog.tsx';
import { ErrorNote } from './error-note.tsx';
import { HopPath, JobEvents, Timeline } from './job-history.tsx';

const ACTIVE_POLL_MS = 2_000;
const ENDED_POLL_MS = 30_000;

function Stage({ job }: { job: Job }) {
  if (job.finishedAt) {
    return (
      <p class="stage">
        Ended {dateTime(job.finishedAt)}
        {job.reason && <span class="reason">: {job.reason}</span>}
      </p>
    );
  }
  return (
    <p class="stage">
      <strong>{JOB_MARKS[job.state].label}</strong>
      {job.waitingFor ? <span> — waiting for {job.waitingFor}</span> : <span> — working</span>}
      {job.cancelRequested && (
        <span class="notice">
          {' '}
          Cancel requested: the hop being installed is finished and verified, then the job stops.
        </span>
      )}
    </p>
  );
}

function CancelConfirmation({ job, onDone }: { job: Job; onDone(): void }) {
  return (
    <ConfirmDialog
      title={`Cancel the upgrade of ${job.cluster}?`}
      confirmLabel="Cancel the job"
      dismissLabel="Keep it running"
      note
      onConfirm={(note) => api.cancelJob(job.id, note || undefined)}
      onClose={onDone}
    >
      <p>
        Before the current hop's point of no return (the InstallPlan approval, or the package upload on a
        Subscription with Automatic approval) the job stops at once and nothing more is changed on the
        cluster.
      </p>
      <p>
        After it, an install is never interrupted: the hop being installed is finished and verified, then the
        job ends as cancelled, on that hop's version. Later hops are not started.
      </p>
    </ConfirmDialog>
  );
}

export function JobView({ id }: { id: string }) {
  const [confirming, setConfirming] = useState(false);
  const [pollMs, setPollMs] = useState(ACTIVE_POLL_MS);
  const polled = usePoll(
    async () => {
      const job = await api.job(id);
      setPollMs(job.finishedAt ? ENDED_POLL_MS : ACTIVE_POLL_MS);
      return job;
    },
    pollMs,
    id,
  );
  const events = usePoll(() => api.jobEvents(id), pollMs * 2, id);
  const job = polled.data;
  return (
    <section aria-labelledby="job-title">
      <p class="crumbs">
        <a href={href.jobs}>Jobs</a>
        {job?.batchId && (
          <>
            {' · '}
            <a href={href.rollout(job.batchId)}>rollout {job.batchId}</a>
          </>
        )}
      </p>
      <div class="title-row">
        <h1 id="job-title">
          Job <code>{id}</code>
        </h1>
        {job && <Mark spec={JOB_MARKS[job.state]} />}
        {job && !job.finishedAt && !job.cancelRequested && (
          <button type="button" class="danger" onClick={() => setConfirming(true)}>
            Cancel job
          </button>
        )}
      </div>
      <ErrorNote error={polled.error} />
      {job && (
        <>
          <dl class="facts">
            <dt>Cluster</dt>
            <dd>{job.cluster}</dd>
            <dt>Target</dt>
            <dd class="version">{job.targetVersion}</dd>
            <dt>Installed before</dt>
            <dd class="version">{job.fromVersion ?? 'not read yet'}</dd>
            <dt>Platform</dt>
            <dd>{job.platformVersion ?? '–'}</dd>
            <dt>Created</dt>
            <dd>{dateTime(job.createdAt)}</dd>
          </dl>
          <Stage job={job} />
          <HopPath job={job} />
          <Timeline job={job} />
          <JobEvents events={events.data?.items} error={events.error} />
        </>
      )}
      {confirming && job && (
        <CancelConfirmation
          job={job}
          onDone={() => {
            setConfirming(false);
            polled.reload();
          }}
        />
      )}
    </section>
  );
}
