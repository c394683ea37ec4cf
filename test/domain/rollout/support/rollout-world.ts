/**
 * A small world for driving `decide`: clusters whose jobs end as scripted, a job "store" that
 * honours idempotency keys as createUpgrade does, re-checks, commands and a clock. Tests drive it
 * step by step (properties interleave steps at random) or run it to the end.
 */
import type { JobState } from '#domain/job.ts';
import type { Batch } from '#domain/rollout/batch.ts';
import { newBatch } from '#domain/rollout/batch.ts';
import type { BatchEvent } from '#domain/rollout/batch-events.ts';
import { type BatchRequestInput, batchRequestSchema } from '#domain/rollout/batch-request.ts';
import { type Decision, decide, type RolloutAction, type RolloutInputs } from '#domain/rollout/decide.ts';
import type { JobReport, RecheckReport, StartRefusal } from '#domain/rollout/rollout-reports.ts';
import { type FleetCluster, planWaves, selectClusters } from '#domain/rollout/wave-plan.ts';

/** What each attempt of a cluster's job does; the last entry repeats. */
export type Outcome = 'succeed' | 'fail' | 'block' | 'unreachable' | 'recheck-fail' | 'busy';

export interface WorldJob {
  id: string;
  key: string;
  cluster: string;
  attempt: number;
  state: JobState;
  outcome: Outcome;
  /** When the job ends by itself. */
  endsAt: number;
}

export interface WorldOptions {
  fleet: FleetCluster[];
  request: Omit<BatchRequestInput, 'targetVersion'> & { targetVersion?: string };
  scripts?: Record<string, Outcome[]>;
  start?: Date;
  jobSeconds?: number;
  /** Called with every decision before it is committed (invariant checks). */
  check?: (before: Batch, now: Date, inputs: RolloutInputs, decision: Decision) => void;
}

export class RolloutWorld {
  now: Date;
  batch: Batch;
  readonly jobs = new Map<string, WorldJob>();
  readonly events: BatchEvent[] = [];
  readonly decisions: Decision[] = [];
  private refusals: StartRefusal[] = [];
  private rechecks: RecheckReport[] = [];
  private wakes: number[] = [];

  private readonly options: WorldOptions;

  constructor(options: WorldOptions) {
    this.options = options;
    this.now = options.start ?? new Date('2026-03-02T10:00:00Z');
    const request = batchRequestSchema.parse({ targetVersion: '4.2.1', ...options.request });
    const { clusters } = selectClusters(request, options.fleet);
    this.batch = newBatch({ id: 'b1', request, waves: planWaves(clusters, request.strategy), at: this.now });
  }

  outcomeOf(cluster: string, attempt: number): Outcome {
    const script = this.options.scripts?.[cluster] ?? ['succeed'];
    return script[Math.min(attempt, script.length) - 1] ?? 'succeed';
  }

  reports(): JobReport[] {
    return [...this.jobs.values()].map((job) => ({
      cluster: job.cluster,
      jobId: job.id,
      state: job.state,
      ...(job.state === 'blocked' && job.outcome === 'unreachable' ? { unreachable: true } : {}),
      ...(job.state === 'queued' ? {} : { reason: `scripted ${job.outcome}` }),
    }));
  }

  /** What the world knows now: its jobs, refused starts and re-checks not yet reported. */
  inputs(): RolloutInputs {
    return { jobs: this.reports(), refusals: this.refusals, rechecks: this.rechecks };
  }

  /** One decision on what the world knows (or `inputs` instead), committed and its actions carried out. */
  decide(inputs?: RolloutInputs): Decision {
    const given = inputs ?? this.inputs();
    const before = this.batch;
    const decision = decide(before, this.now, given);
    this.options.check?.(before, this.now, given, decision);
    this.commit(decision);
    return decision;
  }

  commit(decision: Decision): void {
    this.decisions.push(decision);
    this.batch = decision.batch;
    this.events.push(...decision.events);
    this.refusals = [];
    this.rechecks = [];
    for (const action of decision.actions) this.perform(action);
  }

  perform(action: RolloutAction): void {
    switch (action.kind) {
      case 'start-job':
        this.start(action.cluster, action.attempt, action.idempotencyKey);
        return;
      case 'cancel-job': {
        const job = this.jobs.get(action.jobId);
        if (job && job.state === 'validating') job.state = 'cancelled';
        return;
      }
      case 'recheck':
        for (const cluster of action.clusters) {
          const job = [...this.jobs.values()].findLast((j) => j.cluster === cluster);
          const healthy = job?.outcome !== 'recheck-fail';
          this.rechecks.push({
            cluster,
            checkedAt: this.now.toISOString(),
            healthy,
            reason: 'Redis cache/a is Error',
          });
        }
        return;
      case 'wake':
        this.wakes.push(Date.parse(action.at));
    }
  }

  private start(cluster: string, attempt: number, key: string): void {
    const existing = [...this.jobs.values()].find((job) => job.key === key);
    if (existing) return;
    const active = [...this.jobs.values()].find((job) => job.cluster === cluster && !isEnded(job.state));
    if (active) throw new Error(`${cluster} would get a second active job (${active.key}, then ${key})`);
    const outcome = this.outcomeOf(cluster, attempt);
    if (outcome === 'busy') {
      this.refusals.push({ cluster, attempt, reason: 'an upgrade job is already active', busy: true });
      return;
    }
    const id = `job-${this.jobs.size + 1}`;
    const endsAt = this.now.getTime() + (this.options.jobSeconds ?? 600) * 1000;
    this.jobs.set(id, { id, key, cluster, attempt, state: 'validating', outcome, endsAt });
  }

  /** Ends one running job as scripted. */
  finish(job: WorldJob): void {
    const states: Record<Exclude<Outcome, 'busy'>, JobState> = {
      succeed: 'succeeded',
      'recheck-fail': 'succeeded',
      fail: 'failed',
      block: 'blocked',
      unreachable: 'blocked',
    };
    if (job.outcome !== 'busy' && !isEnded(job.state)) job.state = states[job.outcome];
  }

  /** Ends every running job as scripted. */
  endRunning(): void {
    for (const job of this.running()) this.finish(job);
  }

  running(): WorldJob[] {
    return [...this.jobs.values()].filter((job) => !isEnded(job.state));
  }

  /** Moves the clock to the next job end or wake-up, ending the jobs due. False when nothing is due. */
  advance(): boolean {
    const ends = this.running().map((job) => job.endsAt);
    const next = Math.min(...ends, ...this.wakes.filter((at) => at > this.now.getTime()));
    if (!Number.isFinite(next)) return false;
    this.now = new Date(Math.max(next, this.now.getTime()));
    this.wakes = this.wakes.filter((at) => at > this.now.getTime());
    for (const job of this.running()) if (job.endsAt <= this.now.getTime()) this.finish(job);
    return true;
  }

  /** Decides and advances until the batch finishes or waits on a person; the decisions taken. */
  run(maxSteps = 500): Batch {
    for (let step = 0; step < maxSteps; step++) {
      this.decide();
      if (this.batch.finishedAt) return this.batch;
      if (this.refusals.length > 0 || this.rechecks.length > 0) continue;
      if (this.idle() || !this.advance()) return this.batch;
    }
    throw new Error(
      `the batch did not settle in ${maxSteps} steps: ${this.batch.state} ${this.batch.reason}`,
    );
  }

  /** Waiting for a person: nothing runs, nothing is due, no timer. */
  private idle(): boolean {
    return this.running().length === 0 && this.wakes.length === 0;
  }

  eventTypes(): string[] {
    return this.events.map((event) => event.type);
  }
}

function isEnded(state: JobState): boolean {
  return ['succeeded', 'failed', 'blocked', 'cancelled'].includes(state);
}
