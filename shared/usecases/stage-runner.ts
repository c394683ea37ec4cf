/**
 * The one runner every stage shares (docs/architecture.md §4). For each message it:
 *
 * 1. loads the job and classifies the message (#domain/job-messages.ts): the expected message is
 *    processed, a redelivery of the message behind the latest commit re-emits the next message
 *    once that one is overdue (crash between write and send) and is parked until then (a
 *    duplicate dies there), anything else is acknowledged and dropped;
 * 2. honours a cancel request when the hop is before its point of no return;
 * 3. runs the stage's step, which reads the cluster and returns an outcome (transition, wait,
 *    next hop, defer: #usecases/stage-step.ts); side effects inside a step are claimed first with
 *    a conditional write;
 * 4. commits the outcome (#usecases/stage-outcome.ts) with a conditional write on the version it
 *    loaded (#usecases/step-context.ts). A ConflictError there means another copy of the message,
 *    or a cancel, won the race: acknowledge and stop;
 * 5. sends the job's next expected message AFTER the commit (with a delay for waits; the commit
 *    records when it is due), then emits one event per state change.
 *
 * Errors of a step: TransientError and cluster ConflictError are waits (retried after
 * `retrySeconds`, within the stage deadline); any other UpgraderError ends the job with the error
 * message, as a passed deadline does (`blocked` or `failed`: #domain/failure-state.ts); anything
 * else is a bug and is rethrown so the queue retries and dead-letters it.
 */
import { randomUUID } from 'node:crypto';
import { errorMessage } from '#domain/errors.ts';
import {
  type ActiveJob,
  isActiveJob,
  isPlannedJob,
  isUnplannedJob,
  type Job,
  type MessageRef,
  type PlannedJob,
  type StageName,
  type UnplannedJob,
} from '#domain/job.ts';
import { cancelNow, isCancellable } from '#domain/job-cancel.ts';
import { classifyMessage, expectedMessage } from '#domain/job-messages.ts';
import { plannedHop, STATE_OF_STAGE, transition } from '#domain/job-transitions.ts';
import { stageSeconds } from '#domain/stage-durations.ts';
import { historySlot } from '#domain/wait-history.ts';
import type {
  Clock,
  ClusterGateway,
  ClusterRegistry,
  JobStore,
  Log,
  Notifier,
  Queue,
  StageMessage,
  StageQueues,
  WaitHistory,
  Waker,
} from '#shared/ports.ts';
import { emitLatestCommit, emitTransitions } from '#usecases/job-events.ts';
import { withAttributes } from '#usecases/log-attributes.ts';
import { type PipelineConfigInput, resolvePipelineConfig } from '#usecases/pipeline-config.ts';
import { makeStageOutcomes, withDue, withWaitingFor } from '#usecases/stage-outcome.ts';
import {
  type HopContext,
  LostRace,
  type PlanningContext,
  type Step,
  type StepContext,
  type StepOutcome,
} from '#usecases/stage-step.ts';
import { commit, makeStepContext } from '#usecases/step-context.ts';
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
  /** Where a succeeded job leaves its stage times, for the first looks of the jobs after it. */
  waitHistory?: Pick<WaitHistory, 'record'>;
}

export type StageHandler = (message: StageMessage) => Promise<void>;

/** The stages that work on a hop of a planned job. */
export type HopStage = Exclude<StageName, 'validate'>;

/** The jobs a stage works on and the context its step gets. */
interface StageShape<J extends ActiveJob, C extends StepContext<J>> {
  fits(job: Job): job is J;
  context(base: StepContext<J>): C;
}

const SILENT: Log = { debug() {}, info() {}, warn() {}, error() {} };

function toRef(message: StageMessage): MessageRef {
  const { stage, hop, seq, id } = message;
  return id === undefined ? { stage, hop, seq } : { stage, hop, seq, id };
}

/**
 * One line per message: the wait or the transition it committed. A poll that found what the last
 * one found adds nothing the job does not say, and logs are billed by the byte: debug.
 */
function logOutcome(log: Log, job: ActiveJob, next: Job, delaySeconds: number): void {
  if (next.state === job.state && isActiveJob(next)) {
    const unchanged = next.step?.waitingFor === job.step?.waitingFor;
    log[unchanged ? 'debug' : 'info']('waiting', { waitingFor: next.step?.waitingFor, delaySeconds });
  } else log.info('transition', { from: job.state, to: next.state, reason: next.transitions.at(-1)?.reason });
}

/**
 * A succeeded job's stage times join the wait history (#domain/wait-history.ts). They only time
 * later first looks: a record lost to a crash or an error leaves the history a job older.
 */
async function recordWaits(history: StageDeps['waitHistory'], job: Job, log: Log): Promise<void> {
  if (!history || job.state !== 'succeeded') return;
  const seconds = stageSeconds(job);
  if (Object.keys(seconds).length === 0) return;
  try {
    await history.record(historySlot(job.id), { seconds, at: job.finishedAt });
  } catch (error) {
    log.warn('could not record the stage times in the wait history', {
      error: errorMessage(error),
    });
  }
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
  const outcomes = makeStageOutcomes(stage, config, deps.random ?? Math.random);
  const schedule = makeWaitSchedule({ stage, config, clock: deps.clock, waker: deps.waker });

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

  async function process(loaded: Job, message: StageMessage, log: Log): Promise<void> {
    const now = deps.clock.now();
    const cause = toRef(message);
    const found = fitting(loaded);
    if (found.cancelRequested && isCancellable(found)) {
      const cancelled = await commit(deps.jobs, cancelNow(found, { at: now, cause }), found.version);
      log.info('cancel honoured', { state: cancelled.state });
      await emitTransitions(deps.notifier, found, cancelled);
      return;
    }
    // validate enters its state in the commit of its first outcome: a job write saved per upgrade.
    const entered =
      found.state === 'queued'
        ? fitting(transition(found, STATE_OF_STAGE[stage], { at: now, cause }))
        : found;
    const { context, write } = makeStepContext(deps, {
      job: entered,
      storedVersion: found.version,
      fits: shape.fits,
      message,
      now,
      config,
      log,
    });
    let outcome: StepOutcome;
    try {
      outcome = await step(shape.context(context));
    } catch (error) {
      outcome = outcomes.outcomeOfError(error);
      log.warn('stage step failed', { error: errorMessage(error) });
    }
    if (outcome.kind === 'defer') {
      log.info('deferred', { reason: outcome.reason, delaySeconds: outcome.delaySeconds });
      await deps.queue.send(stage, { ...message, id: randomUUID() }, { delaySeconds: outcome.delaySeconds });
      return;
    }
    const job = context.job;
    const waitSeconds = outcomes.waitDelay(job, outcome, now);
    const applied = outcomes.apply(job, outcome, cause, now, waitSeconds);
    const { delay, condition, waitingFor } = schedule.next(job, applied, outcome, waitSeconds, now);
    const next = await write(withDue(withWaitingFor(applied, waitingFor), deps.clock.now(), delay));
    // Events before the send: until the next message is out, this one is the job's only driver,
    // and its redelivery after a crash emits the commit's events again. Sent first, the next stage
    // could commit before the redelivery came back, which would then be dropped as stale, the
    // events unsent. A notifier that fails does not hold the job up: the message still goes out.
    const unsent = await emitTransitions(deps.notifier, loaded, next).then(
      () => undefined,
      (error: unknown) => error,
    );
    const messageId = await send(next, delay);
    // A commit that wakes on nothing ends the job's older watch: else a job that polls now holds a
    // watch slot and a connection until that watch's safety net. A job that ended, by this commit
    // or any other, is released by the job store the waker wraps (releasingEndedJobs).
    if (condition && messageId) schedule.wake(next, condition, messageId);
    else deps.waker?.release(next.id);
    logOutcome(log, job, next, delay);
    await recordWaits(deps.waitHistory, next, log);
    if (unsent) throw unsent;
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
      await emitLatestCommit(deps.notifier, job);
      return;
    }
    if (disposition.action === 'reemit') {
      jobLog.info('re-emitting the next message after a redelivery', { next: disposition.message });
      await emitLatestCommit(deps.notifier, job);
      await send(job);
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
