/**
 * The job's shapes (#domain/job.ts): every job the domain's functions build has the shape of its
 * state and survives the stores' round trip; illegal combinations neither type-check (checked by
 * `npm run typecheck`, through the @ts-expect-error lines) nor parse. A job's history gives the
 * events it emitted as it went (#domain/job-event.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readStoredJob, storedJob } from '#adapters/stored-job.ts';
import { ConflictError } from '#domain/errors.ts';
import {
  type FinishedJob,
  isActiveJob,
  type Job,
  jobSchema,
  type PlannedJob,
  type UnplannedJob,
} from '#domain/job.ts';
import { requestCancel } from '#domain/job-cancel.ts';
import {
  createdEvent,
  type JobEvent,
  jobEventSchema,
  jobEvents,
  transitionEvent,
} from '#domain/job-event.ts';
import { countAttempt, recordProgress, recordWait } from '#domain/job-progress.ts';
import { ALLOWED_TRANSITIONS, newJob, transition } from '#domain/job-transitions.ts';
import { planUpgrade } from '#domain/planner.ts';
import { testCatalog } from '#test/fakes/catalog.ts';
import { ended, jobAt } from '#test/fakes/jobs.ts';

const at = new Date('2026-03-01T12:00:00Z');
const catalog = testCatalog();
const FACTS = {
  fromVersion: '3.18.2',
  platformVersion: '4.0.0',
  plan: planUpgrade(catalog, '3.18.2', '4.2.1', { platform: '4.0.0' }).hops,
  instances: [{ kind: 'Redis' as const, namespace: 'cache', name: 'orders' }],
};

type Step =
  | { kind: 'transition'; pick: number }
  | { kind: 'wait' | 'attempt' | 'cancel' }
  | { kind: 'progress'; noReturn: boolean };

// Each state lists its way forward first (ALLOWED_TRANSITIONS): walks that mostly take it reach
// the later hops, where the hop moves.
const pickArb = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat() });

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('transition' as const), pick: pickArb }),
  fc.record({ kind: fc.constantFrom('wait' as const, 'attempt' as const, 'cancel' as const) }),
  fc.record({ kind: fc.constant('progress' as const), noReturn: fc.boolean() }),
);

/** One step of a random walk; a step the domain refuses leaves the job as it was. */
function apply(job: Job, step: Step, now: Date): Job {
  if (!isActiveJob(job)) return job;
  try {
    switch (step.kind) {
      case 'transition': {
        const targets = ALLOWED_TRANSITIONS[job.state];
        const to = targets[step.pick % targets.length] ?? job.state;
        const hop = job.state === 'verifying' && to === 'uploading' ? job.hop + 1 : undefined;
        return transition(job, to, {
          at: now,
          reason: `to ${to}`,
          // Validate records what it found when it plans, and when it stops the job too.
          ...(job.state === 'validating' ? { facts: FACTS } : {}),
          ...(hop === undefined ? {} : { hop }),
        });
      }
      case 'wait':
        return recordWait(job, { at: now, reason: 'waiting' });
      case 'attempt':
        return countAttempt(job, job.expected.stage, job.hop);
      case 'cancel':
        return requestCancel(job, { at: now });
      case 'progress':
        return recordProgress(
          job,
          { waitingFor: 'claimed', claimedAt: now.toISOString() },
          { at: now, noReturn: step.noReturn },
        );
    }
  } catch (error) {
    if (error instanceof ConflictError) return job;
    throw error;
  }
}

describe('job shapes', () => {
  it('every job the domain builds has the shape of its state and reads back from a store unchanged', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 30 }), (steps) => {
        let job: Job = newJob({ id: 'job-1', cluster: 'c1', targetVersion: '4.2.1', at });
        steps.forEach((step, index) => {
          job = apply(job, step, new Date(at.getTime() + (index + 1) * 1000));
          expect(jobSchema.safeParse(job).error).toBeUndefined();
          const stored = JSON.parse(JSON.stringify(storedJob(job)));
          expect(readStoredJob(stored, job.id)).toEqual(job);
        });
      }),
    );
  });

  it('lists, from any later version of a job, exactly the events it emitted as it went', () => {
    fc.assert(
      // Long walks (fast-check keeps arrays short by default): a job's second hop takes some 15 steps.
      fc.property(fc.array(stepArb, { maxLength: 40, size: 'max' }), fc.nat(40), (steps, readAfter) => {
        let job: Job = newJob({ id: 'job-1', cluster: 'c1', targetVersion: '4.2.1', at, batchId: 'b1' });
        const emitted: JobEvent[] = [createdEvent(job)];
        const versions: Job[] = [job];
        steps.forEach((step, index) => {
          const before = job;
          job = apply(job, step, new Date(at.getTime() + (index + 1) * 1000));
          // As the stage runner emits (#usecases/job-events.ts): each new transition, from the job it committed.
          for (let i = before.transitions.length + 1; i <= job.transitions.length; i++) {
            emitted.push(transitionEvent(job, i) as JobEvent);
          }
          versions.push(job);
        });
        const read = versions[Math.min(readAfter, versions.length - 1)] as Job;
        expect(jobEvents(job)).toEqual(emitted);
        expect(jobEvents(read)).toEqual(emitted.slice(0, read.transitions.length + 1));
        for (const event of emitted) expect(jobEventSchema.safeParse(event).error).toBeUndefined();
      }),
    );
  });

  it('refuses illegal combinations at compile time and when parsing', () => {
    // Prepare
    const unplanned: UnplannedJob = newJob({ id: 'job-1', cluster: 'c1', targetVersion: '4.2.1', at });
    const planned: PlannedJob = jobAt('uploading', {
      catalog,
      cluster: 'c1',
      from: '3.18.2',
      to: '4.2.1',
      at,
    });
    const finished: FinishedJob = ended(planned, 'failed');
    const { reason: _reason, ...withoutReason } = finished;
    // Act: each of these is a type error, and so must be refused when read back
    const illegal = [
      // @ts-expect-error a finished job expects no message
      { ...finished, expected: planned.expected } satisfies FinishedJob,
      // @ts-expect-error a finished job says why it ended
      withoutReason satisfies FinishedJob,
      // @ts-expect-error a job past validate has a plan, the installed version and the instances
      { ...unplanned, state: 'uploading' } satisfies PlannedJob,
      // @ts-expect-error an active job expects a message
      { ...finished, state: 'patching' } satisfies PlannedJob,
      // @ts-expect-error attempts are counted per stage and hop, not by "stage:hop" keys
      { ...planned, attempts: { 'upload-package:0': 1 } } satisfies PlannedJob,
      // @ts-expect-error instances are kind, namespace and name, not display strings
      { ...planned, instances: ['Redis cache/orders'] } satisfies PlannedJob,
    ];
    // Assess
    for (const job of illegal) expect(jobSchema.safeParse(job).success).toBe(false);
  });
});
