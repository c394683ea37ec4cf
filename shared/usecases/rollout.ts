/**
 * The rollout consumer (its own queue; a Lambda on AWS, a poller locally). Woken by a batch's
 * creation, an operator's command, the end of one of its jobs (forwarded by notify) and its own
 * timers, it never sleeps. Each time, as #domain/rollout/decide.ts asks of its caller:
 *
 * 1. load the batch and what its jobs are doing now (the job store);
 * 2. decide, and when the batch changed, commit it with its events conditionally on the version
 *    loaded; a lost race reloads and decides again;
 * 3. carry out the actions (#usecases/rollout-actions.ts); refused starts and re-checks are fed
 *    to another decision at once, until nothing new comes back;
 * 4. publish the batch's new events to webhooks (#usecases/batch-webhooks.ts; also on every
 *    wake first, for events a crash kept back);
 * 5. arm the timer the last decision asks for (bake end, window opening, retry, poll) as a
 *    delayed message, one live per batch (#domain/rollout/rollout-timer.ts), then acknowledge.
 *
 * Every step is derived from the committed batch, so a redelivered message or a crash at any
 * line repeats the same starts under the same idempotency keys: none starts twice, none is lost.
 * A copy of a timer already handled, or one superseded by an earlier wake, is dropped.
 * Messages of one batch are handled one after the other within a process (a job's end, its
 * duplicate and a timer often arrive together); across processes the conditional write decides.
 */
import { ConflictError } from '#domain/errors.ts';
import type { Batch } from '#domain/rollout/batch.ts';
import { type Decision, decide } from '#domain/rollout/decide.ts';
import { AHEAD_RETRY_SECONDS, classifyWake, timerToArm } from '#domain/rollout/rollout-timer.ts';
import type { BatchStore, Log, Queue, RolloutMessage, RolloutQueues, StageQueues } from '#shared/ports.ts';
import { gatherJobReports } from '#usecases/batch-job-reports.ts';
import { type BatchWebhookDeps, publishBatchEvents } from '#usecases/batch-webhooks.ts';
import { type PipelineConfigInput, resolvePipelineConfig } from '#usecases/pipeline-config.ts';
import { type Feedback, performActions, type RolloutActionDeps } from '#usecases/rollout-actions.ts';
import type { DeliveryQueues } from '#usecases/webhook-fan-out.ts';

export interface RolloutDeps extends RolloutActionDeps, Omit<BatchWebhookDeps, 'batches' | 'queue'> {
  batches: BatchStore;
  queue: Queue<StageQueues & RolloutQueues & DeliveryQueues>;
  config?: PipelineConfigInput;
}

/** A wake that is no timer (as classifyWake tells them apart): a job's end, a creation, a command. */
const isPlainWake = (message: RolloutMessage) => message.seq === undefined && message.due === undefined;

/** Jobs whose ends merged wakes report; undefined: a wake that names none, so all are read. */
type EndedJobs = ReadonlySet<string> | undefined;

/** Decisions fed back-to-back in one delivery; beyond, the rollout goes on in a new message. */
const MAX_ROUNDS = 20;

const SILENT: Log = { debug() {}, info() {}, warn() {}, error() {} };

function isEmpty(feedback: Feedback): boolean {
  return feedback.refusals.length === 0 && feedback.rechecks.length === 0;
}

/** Runs `work` after every earlier call for the same key has settled. */
function keyedSerially(): (key: string, work: () => Promise<void>) => Promise<void> {
  const tails = new Map<string, Promise<void>>();
  return (key, work) => {
    const next = (tails.get(key) ?? Promise.resolve()).then(work);
    const tail = next.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return next;
  };
}

export function makeRollout(deps: RolloutDeps): (message: RolloutMessage) => Promise<void> {
  const settings = resolvePipelineConfig(deps.config).rollout;
  const log = deps.log ?? SILENT;
  const serially = keyedSerially();

  /** Commits a decision; false when another decider committed first (the caller reloads). */
  async function commit(batch: Batch, decision: Decision, round: number): Promise<boolean> {
    if (!decision.changed) return true;
    try {
      await deps.batches.update(decision.batch, batch.version, decision.events);
    } catch (error) {
      const lost = error instanceof ConflictError && error.code === 'STALE_VERSION';
      if (!lost || round >= MAX_ROUNDS) throw error;
      log.info('lost a race on the batch; deciding again', { batchId: batch.id });
      return false;
    }
    for (const event of decision.events) log.info(event.reason, { batchId: batch.id, event: event.type });
    return true;
  }

  /**
   * Decides and acts until nothing new comes back; returns the last decision. `ended`: the wakes
   * report those jobs' ends, so only they (and starts not yet seen) are read.
   */
  async function run(loaded: Batch, ended: EndedJobs): Promise<Decision> {
    let batch = loaded;
    let feedback: Feedback = { refusals: [], rechecks: [] };
    for (let round = 1; ; round++) {
      const now = deps.clock.now();
      const jobs = await gatherJobReports(deps.jobs, batch, ended);
      const decision = decide(batch, now, { jobs, ...feedback, pollSeconds: settings.pollSeconds });
      if (!(await commit(batch, decision, round))) {
        batch = (await deps.batches.get(batch.id)) ?? batch;
        continue;
      }
      batch = decision.batch;
      const work = decision.actions.filter((action) => action.kind !== 'wake');
      const options = { now, recheckDeadlineSeconds: settings.recheckDeadlineSeconds };
      feedback = await performActions(deps, batch, work, options);
      if (isEmpty(feedback)) return decision;
      if (round >= MAX_ROUNDS)
        return { ...decision, actions: [{ kind: 'wake', at: now.toISOString(), reason: 'more to decide' }] };
    }
  }

  /**
   * Arms the timer the last decision asks for, send then commit (#domain/rollout/rollout-timer.ts);
   * false when the commit lost a race (the caller loads and decides again).
   */
  async function arm(batch: Batch, decision: Decision, consumed: boolean): Promise<boolean> {
    const wake = decision.actions.find((action) => action.kind === 'wake');
    const timer = timerToArm(batch, wake?.at, consumed);
    if (timer === undefined) return true;
    if (timer && wake) {
      const delaySeconds = Math.max(0, (Date.parse(timer.at) - deps.clock.now().getTime()) / 1000);
      const message = { batchId: batch.id, reason: wake.reason, seq: timer.seq, due: timer.at };
      await deps.queue.send('rollout', message, { delaySeconds });
    }
    const { timer: _, ...rest } = batch;
    const next: Batch = { ...rest, ...(timer ? { timer } : {}), version: batch.version + 1 };
    try {
      await deps.batches.update(next, batch.version);
      return true;
    } catch (error) {
      if (error instanceof ConflictError && error.code === 'STALE_VERSION') return false;
      throw error;
    }
  }

  /**
   * Wakes of a batch that come while another of its messages is handled wait as one: a fleet's
   * jobs end in bursts, and each wake handled alone rewrote the batch, whose item grows with its
   * clusters (bench fleet: 8 write units per hop at 100 clusters, 19 at 300). They are
   * acknowledged together, or redelivered together if the handling fails.
   */
  const waiting = new Map<string, { ended: Set<string> | undefined; handled: Promise<void> }>();

  return (message) => {
    if (!isPlainWake(message)) return serially(message.batchId, () => handle(message, undefined));
    const queued = waiting.get(message.batchId);
    if (queued) {
      if (message.jobId === undefined) queued.ended = undefined;
      else queued.ended?.add(message.jobId);
      return queued.handled;
    }
    const entry = { ended: message.jobId === undefined ? undefined : new Set([message.jobId]) };
    const handled = serially(message.batchId, () => {
      waiting.delete(message.batchId);
      return handle(message, entry.ended);
    });
    waiting.set(message.batchId, Object.assign(entry, { handled }));
    return handled;
  };

  async function handle(message: RolloutMessage, ended: EndedJobs): Promise<void> {
    for (let round = 1; ; round++) {
      const batch = await deps.batches.get(message.batchId);
      if (!batch) {
        log.warn('message for an unknown batch dropped', { batchId: message.batchId });
        return;
      }
      // Events a crash kept from going out (#usecases/batch-webhooks.ts), before anything may drop the message.
      await publishBatchEvents(deps, batch);
      const verdict = classifyWake(batch, message, deps.clock.now());
      if (verdict.kind === 'stale') {
        log.debug('timer dropped', { batchId: batch.id, why: verdict.why });
        return;
      }
      if (verdict.kind === 'ahead') {
        if (verdict.giveUp) log.warn('timer never armed; dropped', { batchId: batch.id, seq: message.seq });
        else await deps.queue.send('rollout', message, { delaySeconds: AHEAD_RETRY_SECONDS });
        return;
      }
      // Only plain wakes carry `ended`: a timer reads every job.
      const last = await run(batch, ended);
      await publishBatchEvents(deps, last.batch);
      if (await arm(last.batch, last, verdict.kind === 'live')) return;
      if (round >= MAX_ROUNDS)
        throw new ConflictError(`batch ${batch.id} kept changing while arming its timer`);
      log.info('lost a race arming the timer; deciding again', { batchId: batch.id });
    }
  }
}
