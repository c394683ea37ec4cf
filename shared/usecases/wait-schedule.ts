/**
 * When a stage's next message is due (docs/decisions/0002-polling-and-watches.md): after a wait,
 * its poll delay; after a transition, at once, or when the earlier jobs of the job's rollout were
 * done with the stage it enters (#domain/stage-durations.ts firstLook). A wait or transition that
 * names what would end it (`wakeOn`), on a cluster the runtime's Waker can watch, is sent at the
 * safety net instead, and the Waker delivers it early once that happens; not a first look the
 * earlier jobs timed, though.
 */
import { type ActiveJob, isActiveJob, type Job, type StageName } from '#domain/job.ts';
import { secondsInState } from '#domain/job-progress.ts';
import { watchedDelaySeconds } from '#domain/poll-cadence.ts';
import { firstLook } from '#domain/stage-durations.ts';
import type { WakeCondition } from '#domain/wake-condition.ts';
import type { Clock, Waker } from '#shared/ports.ts';
import type { PipelineConfig } from '#usecases/pipeline-config.ts';
import type { StepOutcome } from '#usecases/stage-step.ts';

export interface WaitScheduleDeps {
  stage: StageName;
  config: PipelineConfig;
  clock: Clock;
  waker?: Waker | undefined;
}

export interface NextMessage {
  delay: number;
  /** What wakes it sooner, when watched. */
  condition?: WakeCondition;
  /** A transition whose first look is delayed: what the job waits for meanwhile. */
  waitingFor?: string;
}

export function makeWaitSchedule({ stage, config, clock, waker }: WaitScheduleDeps) {
  /** The safety net of a watched wait, at the stage the job now expects. */
  function watchedDelay(next: ActiveJob, delay: number, now: Date): number {
    const nextStage = next.expected.stage;
    const deadline = config.stageDeadlinesSeconds[nextStage];
    const secondsLeft = nextStage === stage ? deadline - secondsInState(next, now) : deadline;
    return watchedDelaySeconds(delay, { pollSeconds: config.pollSeconds[nextStage], secondsLeft });
  }

  const stageTimes = (name: StageName) => ({
    pollSeconds: config.pollSeconds[name],
    deadlineSeconds: config.stageDeadlinesSeconds[name],
  });

  return {
    /** `job` as the stage found it, `applied` as `outcome` commits it; `waitSeconds`: the wait's poll delay. */
    next(job: Job, applied: Job, outcome: StepOutcome, waitSeconds: number, now: Date): NextMessage {
      const wakeOn = outcome.kind === 'wait' || outcome.kind === 'transition' ? outcome.wakeOn : undefined;
      const entered = applied.state !== job.state && isActiveJob(applied);
      const setOff = !(outcome.kind === 'transition' && outcome.setOff === false);
      const look = entered && setOff ? firstLook(applied, stageTimes(applied.expected.stage)) : undefined;
      const delay = applied.state === job.state ? waitSeconds : (look?.seconds ?? 0);
      // A look the earlier jobs timed is not watched: it comes when their waits were over, which
      // few end sooner, and a wake before it mostly finds a step on the way (a settled CSV whose
      // instances still roll) at the price of a look. If the look finds the wait not over, that
      // wait is watched.
      if (look) return { delay, waitingFor: look.waitingFor };
      if (!wakeOn || !isActiveJob(applied) || !waker?.canWatch(job.cluster)) return { delay };
      // Watched, the look comes when the watch sees the change: the delay is only the safety net.
      return { delay: watchedDelay(applied, delay, now), condition: wakeOn };
    },

    /** Asks the Waker to deliver the sent message (`messageId`) early once `condition` holds. */
    wake(job: Job, condition: WakeCondition | undefined, messageId: string | undefined): void {
      if (!condition || !waker || !messageId || !isActiveJob(job)) return;
      const { stage: queue, due } = job.expected;
      const dueAt = new Date(due ?? clock.now().toISOString());
      waker.wake({ jobId: job.id, cluster: job.cluster, condition, queue, messageId, dueAt });
    },
  };
}
