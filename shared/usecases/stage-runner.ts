/**
 * The one runner every stage shares (docs/architecture.md §4). For each message it:
 *
 * 1. loads the job and classifies the message (#domain/job-messages.ts): the expected message is
 *    processed, a redelivery of the message behind the latest commit re-emits the next message
 *    once that one is overdue (crash between write and send) and is parked until then (a
 *    duplicate dies there), anything else is acknowledged and dropped;
 * 2. honours a cancel request when the hop is before its point of no return;
 * 3. runs the stage's step, which reads the cluster and returns an outcome (transition, wait,
 *    next hop, defer); side effects inside a step are claimed first with a conditional write;
 * 4. commits the outcome with a conditional write on the version it loaded. A ConflictError
 *    there means another copy of the message, or a cancel, won the race: acknowledge and stop;
 * 5. sends the job's next expected message AFTER the commit (with a delay for waits; the commit
 *    records when it is due), then emits one event per state change.
 *
 * Errors of a step: TransientError and cluster ConflictError are waits (retried after
 * `retrySeconds`, within the stage deadline); any other UpgraderError ends the job with the error
 * message, as a passed deadline does (`blocked` or `failed`: #domain/failure-state.ts); anything
 * else is a bug and is rethrown so the queue retries and dead-letters it.
 */
import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError, TransientError, UpgraderError } from '#domain/errors.ts';
import { failureState } from '#domain/failure-state.ts';
import {
  type ActiveJob,
  isActiveJob,
  isPlannedJob,
  isUnplannedJob,
  type Job,
  type JobState,
  type MessageRef,
  type PlannedJob,
  type StageName,
  type StepProgress,
  type UnplannedJob,
} from '#domain/job.ts';
import { cancelNow, completeHop, isCancellable } from '#domain/job-cancel.ts';
import { classifyMessage, expectedMessage } from '#domain/job-messages.ts';
import {
  backoffSeconds,
  countAttempt,
  deadlinePassed,
  formatDelay,
  recordProgress,
  recordWait,
  resumeNote,
  secondsInState,
} from '#domain/job-progress.ts';
import { type JobFacts, plannedHop, STATE_OF_STAGE, transition } from '#domain/job-transitions.ts';
import type { Hop } from '#domain/planner.ts';
import { pollDelaySeconds, WaitTimes } from '#domain/poll-cadence.ts';
import { formatAge } from '#domain/prerequisites.ts';
import type { WakeCondition } from '#domain/wake-condition.ts';
import type {
  Clock,
  ClusterClient,
  ClusterGateway,
  ClusterRecord,
  ClusterRegistry,
  JobStore,
  Log,
  Notifier,
  Queue,
  StageMessage,
  StageQueues,
  Waker,
} from '#shared/ports.ts';
import { emitTransitions } from '#usecases/job-events.ts';
import {
  type PipelineConfig,
  type PipelineConfigInput,
  resolvePipelineConfig,
} from '#usecases/pipeline-config.ts';
import { makeWaitSchedule } from '#usecases/wait-schedule.ts';

/** What every stage needs. Stage factories add their own ports on top. */
export interface StageDeps {
  jobs: JobStore;
  queue: Queue<StageQueues>;
  clusters: ClusterRegistry;
  gateway: ClusterGateway;
  notifier: Notifier;
  clock: Clock;
  log?: Log;
  config?: PipelineConfigInput;
  /** Spreads retry delays (default Math.random); tests pin it. */
  random?: () => number;
  /** Wakes waits that say what would end them (a runtime that can hold watches). */
  waker?: Waker;
}

export type StageHandler = (message: StageMessage) => Promise<void>;

export interface ClusterAccess {
  record: ClusterRecord;
  client: ClusterClient;
}

export type StepOutcome =
  /** `wakeOn`: what the next stage waits for first; where it is watched, its first look waits for it. */
  | { kind: 'transition'; to: JobState; reason: string; facts?: JobFacts; wakeOn?: WakeCondition }
  /** The hop is verified: next hop, succeeded, or a deferred cancel (#domain/job-cancel.ts). */
  | { kind: 'complete-hop' }
  /**
   * Not done yet: record the poll and re-enqueue after `delaySeconds` (default: the stage's poll).
   * A `transient` wait follows a failure that may pass (429, 5xx, timeout, refused connection):
   * its delay backs off with each one in a row, from `retrySeconds` up to `maxRetrySeconds`.
   * `wakeOn`: what would end the wait, for a runtime's Waker to deliver the message early.
   */
  | { kind: 'wait'; reason: string; delaySeconds?: number; transient?: boolean; wakeOn?: WakeCondition }
  /** Another worker holds a claim: re-send this very message later, write nothing. */
  | { kind: 'defer'; reason: string; delaySeconds: number };

export interface StepContext<J extends ActiveJob = ActiveJob> {
  /** The job as last committed by this invocation. */
  readonly job: J;
  readonly message: StageMessage;
  readonly now: Date;
  readonly config: PipelineConfig;
  readonly log: Log;
  cluster(): Promise<ClusterAccess>;
  /** Commits progress inside the stage; a lost race stops the invocation (acknowledged). */
  progress(patch: Partial<StepProgress>, options?: { noReturn?: boolean }): Promise<void>;
  /**
   * Commits progress on the latest stored job while `still(job)` holds, re-reading after races
   * with other writers (a cancel request, say). False when `still` no longer holds. For writes
   * that run beside the step (claim renewals), where a lost race must not end the step.
   */
  progressOnLatest(still: (job: J) => boolean, patch: (now: Date) => Partial<StepProgress>): Promise<boolean>;
}

/** validate's context: a job that has no plan yet. */
export type PlanningContext = StepContext<UnplannedJob>;

/** The context of the stages after validate: a planned job and the hop being worked on. */
export interface HopContext extends StepContext<PlannedJob> {
  readonly hop: Hop;
}

export type Step<C extends StepContext> = (context: C) => Promise<StepOutcome>;

/** The stages that work on a hop of a planned job. */
export type HopStage = Exclude<StageName, 'validate'>;

/** The jobs a stage works on and the context its step gets. */
interface StageShape<J extends ActiveJob, C extends StepContext<J>> {
  fits(job: Job): job is J;
  context(base: StepContext<J>): C;
}

/** Thrown when a conditional job write loses; the runner acknowledges the message. */
export class LostRace extends Error {}

/** Re-reads before a progress write on the latest job gives up; other writers are rare and brief. */
const PROGRESS_ATTEMPTS = 5;

const SILENT: Log = { debug() {}, info() {}, warn() {}, error() {} };

function toRef(message: StageMessage): MessageRef {
  const { stage, hop, seq, id } = message;
  return id === undefined ? { stage, hop, seq } : { stage, hop, seq, id };
}

/** validate: the stage that plans, on a job that has no plan yet. */
export function makePlanningStage(deps: StageDeps, step: Step<PlanningContext>): StageHandler {
  const shape: StageShape<UnplannedJob, PlanningContext> = {
    fits: isUnplannedJob,
    context: (base) => base,
  };
  return makeStage('validate', deps, shape, step);
}

/** A stage after validate, on the current hop of a planned job. */
export function makeHopStage(stage: HopStage, deps: StageDeps, step: Step<HopContext>): StageHandler {
  const shape: StageShape<PlannedJob, HopContext> = {
    fits: isPlannedJob,
    // The hop of a planned job is fixed until it transitions, which ends the step.
    context: (base) => Object.assign(base, { hop: plannedHop(base.job) }),
  };
  return makeStage(stage, deps, shape, step);
}

function makeStage<J extends ActiveJob, C extends StepContext<J>>(
  stage: StageName,
  deps: StageDeps,
  shape: StageShape<J, C>,
  step: Step<C>,
): StageHandler {
  const config = resolvePipelineConfig(deps.config);
  const baseLog = deps.log ?? SILENT;
  const random = deps.random ?? Math.random;
  // This process's memory of how long the stage's waits took: it times the first check of the next.
  const waitTimes = new WaitTimes();
  const schedule = makeWaitSchedule({ stage, config, clock: deps.clock, waker: deps.waker });

  async function commit<T extends Job>(next: T, expectedVersion: number): Promise<T> {
    try {
      await deps.jobs.update(next, expectedVersion);
      return next;
    } catch (error) {
      if (error instanceof ConflictError) throw new LostRace(error.message);
      throw error;
    }
  }

  /** The job as this stage works on it: the expected message names the stage of the job's state. */
  function fitting(job: Job): J {
    if (!shape.fits(job)) throw new Error(`job ${job.id} is ${job.state}: not a job for ${stage}`);
    return job;
  }

  /** Sends the job's expected message; its body id, if one was sent. */
  async function send(job: Job, delaySeconds = 0): Promise<string | undefined> {
    if (!isActiveJob(job)) return undefined;
    const message = expectedMessage(job, randomUUID());
    await deps.queue.send(message.stage, message, delaySeconds > 0 ? { delaySeconds } : undefined);
    return message.id;
  }

  async function cluster(job: Job): Promise<ClusterAccess> {
    const record = await deps.clusters.get(job.cluster);
    if (!record) throw new NotFoundError(`cluster ${job.cluster} is no longer registered`);
    return { record, client: await deps.gateway.forCluster(record) };
  }

  function outcomeOfError(error: unknown): StepOutcome {
    if (error instanceof LostRace) throw error;
    if (error instanceof TransientError || error instanceof ConflictError) {
      return { kind: 'wait', reason: error.message, transient: true };
    }
    if (error instanceof UpgraderError)
      return { kind: 'transition', to: failureState(stage), reason: error.message };
    throw error;
  }

  /** A job that ends failed says where it left the cluster and what to run next. */
  function end(
    job: J,
    to: JobState,
    reason: string,
    at: Date,
    cause: MessageRef,
    extra: { facts?: JobFacts; unreachable?: true } = {},
  ): Job {
    const note = to === 'failed' ? resumeNote(job) : undefined;
    return transition(job, to, { at, reason: note ? `${reason}. Note: ${note}` : reason, cause, ...extra });
  }

  function apply(job: J, outcome: StepOutcome, message: StageMessage, now: Date, delay: number): Job {
    const cause = toRef(message);
    const counted = countAttempt(job, message.stage, message.hop);
    switch (outcome.kind) {
      case 'complete-hop':
        if (!isPlannedJob(counted)) throw new Error(`job ${job.id} has no hop to complete`);
        return completeHop(counted, { at: now, cause });
      case 'transition':
        return end(
          counted,
          outcome.to,
          outcome.reason,
          now,
          cause,
          outcome.facts ? { facts: outcome.facts } : {},
        );
      case 'wait': {
        const deadline = config.stageDeadlinesSeconds[stage];
        if (deadlinePassed(job, now, deadline)) {
          // Validate only reads the cluster: giving up on transient errors there means it was unreachable.
          const unreachable = stage === 'validate' && outcome.transient ? { unreachable: true as const } : {};
          const reason = `${stage} gave up after ${formatAge(deadline)}: ${outcome.reason}`;
          return end(counted, failureState(stage), reason, now, cause, unreachable);
        }
        if (!outcome.transient) return recordWait(counted, { at: now, reason: outcome.reason, cause });
        const retries = (job.step?.retries ?? 0) + 1;
        const reason = `${outcome.reason} (retry ${retries} in ${formatDelay(delay)})`;
        return recordWait(counted, { at: now, reason, cause, retries });
      }
      default:
        throw new Error(`unexpected outcome ${outcome.kind}`);
    }
  }

  /** A visit that had to poll is over: its length times the first check of the next visit. */
  function learnWait(job: J, outcome: StepOutcome, now: Date): void {
    if (outcome.kind !== 'wait' && job.step?.polls !== undefined) {
      waitTimes.record(stage, secondsInState(job, now));
    }
  }

  function waitDelay(job: J, outcome: StepOutcome, now: Date): number {
    if (outcome.kind !== 'wait') return 0;
    if (outcome.delaySeconds !== undefined) return outcome.delaySeconds;
    if (!outcome.transient) {
      return pollDelaySeconds(job, outcome.reason, now, {
        pollSeconds: config.pollSeconds[stage],
        expectedSeconds: waitTimes.expected(stage),
      });
    }
    const backoff = { baseSeconds: config.retrySeconds, maxSeconds: config.maxRetrySeconds };
    return backoffSeconds(backoff, (job.step?.retries ?? 0) + 1, random());
  }

  async function process(loaded: Job, message: StageMessage, log: Log): Promise<void> {
    const now = deps.clock.now();
    const cause = toRef(message);
    const found = fitting(loaded);
    if (found.cancelRequested && isCancellable(found)) {
      const cancelled = await commit(cancelNow(found, { at: now, cause }), found.version);
      log.info('cancel honoured', { state: cancelled.state });
      await emitTransitions(deps.notifier, found, cancelled);
      return;
    }
    // validate enters its state in the commit of its first outcome: a job write saved per upgrade.
    let job = found.state === 'queued' ? fitting(transition(found, STATE_OF_STAGE[stage], { at: now, cause })) : found;
    let stored = found.version;
    const write = async <T extends J | Job>(next: T): Promise<T> => {
      const written = await commit(next, stored);
      stored = written.version;
      return written;
    };
    const base: StepContext<J> = {
      get job() {
        return job;
      },
      message,
      now,
      config,
      log,
      cluster: () => cluster(job),
      progress: async (patch, options = {}) => {
        job = await write(recordProgress(job, patch, { at: deps.clock.now(), ...options }));
      },
      progressOnLatest: async (still, patch) => {
        // It re-reads the stored job: the state entered in memory goes first.
        if (job.version !== stored) job = await write(job);
        for (let attempt = 0; attempt < PROGRESS_ATTEMPTS; attempt++) {
          const latest = await deps.jobs.get(job.id);
          if (!latest || !shape.fits(latest) || !still(latest)) return false;
          const at = deps.clock.now();
          try {
            stored = latest.version;
            job = await write(recordProgress(latest, patch(at), { at }));
            return true;
          } catch (error) {
            if (!(error instanceof LostRace)) throw error;
          }
        }
        throw new LostRace(`job ${job.id} kept changing while recording progress`);
      },
    };
    let outcome: StepOutcome;
    try {
      outcome = await step(shape.context(base));
    } catch (error) {
      outcome = outcomeOfError(error);
      log.warn('stage step failed', { error: error instanceof Error ? error.message : String(error) });
    }
    if (outcome.kind === 'defer') {
      log.info('deferred', { reason: outcome.reason, delaySeconds: outcome.delaySeconds });
      await deps.queue.send(stage, { ...message, id: randomUUID() }, { delaySeconds: outcome.delaySeconds });
      return;
    }
    learnWait(job, outcome, now);
    const waitSeconds = waitDelay(job, outcome, now);
    const applied = apply(job, outcome, message, now, waitSeconds);
    const wakeOn = outcome.kind === 'wait' || outcome.kind === 'transition' ? outcome.wakeOn : undefined;
    const { delay, condition } = schedule.next(job, applied, wakeOn, waitSeconds, now);
    const next = await write(withDue(applied, deps.clock.now(), delay));
    schedule.wake(next, condition, await send(next, delay));
    if (next.state === job.state && isActiveJob(next))
      log.info('waiting', { waitingFor: next.step?.waitingFor, delaySeconds: delay });
    else log.info('transition', { from: job.state, to: next.state, reason: next.transitions.at(-1)?.reason });
    await emitTransitions(deps.notifier, loaded, next);
  }

  return async (message) => {
    const log = withAttributes(baseLog, { jobId: message.jobId, stage, hop: message.hop, seq: message.seq });
    const job = await deps.jobs.get(message.jobId);
    if (!job) {
      log.warn('message for an unknown job dropped');
      return;
    }
    const jobLog = withAttributes(log, { cluster: job.cluster });
    const timing = { now: deps.clock.now(), graceSeconds: config.claimLeaseSeconds };
    const disposition = classifyMessage(job, toRef(message), timing);
    if (disposition.action === 'drop') {
      jobLog.debug('message dropped', { why: disposition.why });
      return;
    }
    if (disposition.action === 'park') {
      // A duplicate, or a redelivery after a crash before the send: decided once `expected` is overdue.
      const delaySeconds = Math.ceil(disposition.delaySeconds);
      jobLog.info('parked a redelivery of the message behind the latest commit', { delaySeconds });
      await deps.queue.send(stage, message, { delaySeconds });
      await emitTransitions(deps.notifier, { ...job, transitions: job.transitions.slice(0, -1) }, job);
      return;
    }
    if (disposition.action === 'reemit') {
      jobLog.info('re-emitting the next message after a redelivery', { next: disposition.message });
      await send(job);
      await emitTransitions(deps.notifier, { ...job, transitions: job.transitions.slice(0, -1) }, job);
      return;
    }
    try {
      await process(job, message, jobLog);
    } catch (error) {
      if (!(error instanceof LostRace)) throw error;
      jobLog.info('lost a write race; message acknowledged', { conflict: error.message });
    }
  };
}

/** The job with the time its expected message is due: the commit's time plus the send's delay. */
function withDue(job: Job, at: Date, delaySeconds: number): Job {
  if (!isActiveJob(job)) return job;
  const due = new Date(at.getTime() + delaySeconds * 1000).toISOString();
  return { ...job, expected: { ...job.expected, due } };
}

function withAttributes(log: Log, attributes: Record<string, unknown>): Log {
  const merge = (extra: Record<string, unknown>[]) => Object.assign({}, attributes, ...extra);
  return {
    debug: (message, ...extra) => log.debug(message, merge(extra)),
    info: (message, ...extra) => log.info(message, merge(extra)),
    warn: (message, ...extra) => log.warn(message, merge(extra)),
    error: (message, ...extra) => log.error(message, merge(extra)),
  };
}
