/**
 * Starting a fleet rollout (`POST /batches`). From the validated request: the target must be in
 * the catalog, the clusters named must be registered (404 naming the others), the selected ones
 * must have no active job (409 naming them, unless `strategy.skipBusy`: then they are skipped).
 * The batch is planned into waves, stored under its Idempotency-Key, and the rollout is woken
 * with a message on its queue; from there the rollout consumer starts the jobs.
 *
 * `dryRun: true` is the rehearsal (#usecases/rehearse-batch.ts): the same checks, every cluster
 * read, and nothing stored or sent.
 */
import { randomUUID } from 'node:crypto';
import semver from 'semver';
import type { Catalog } from '#domain/catalog.ts';
import { ConflictError, errorMessage, NotFoundError, ValidationError } from '#domain/errors.ts';
import { isActive } from '#domain/job.ts';
import {
  checkCallbackUrl,
  NO_OUTBOUND_ALLOW,
  type OutboundAllowList,
  type OutboundRules,
} from '#domain/outbound-address.ts';
import { type Batch, newBatch } from '#domain/rollout/batch.ts';
import { batchRequestFingerprint } from '#domain/rollout/batch-fingerprint.ts';
import type { BatchRequest } from '#domain/rollout/batch-request.ts';
import { decide } from '#domain/rollout/decide.ts';
import { nameList } from '#domain/rollout/reason-text.ts';
import { planWaves, selectClusters } from '#domain/rollout/wave-plan.ts';
import { DEFAULT_IDEMPOTENCY_TTL_SECONDS } from '#domain/upgrade-request.ts';
import type {
  BatchCreateOutcome,
  BatchStore,
  ClusterRecord,
  ClusterRegistry,
  Log,
  Queue,
  RolloutQueues,
} from '#shared/ports.ts';
import { type RehearsalView, type RehearseBatchDeps, rehearseBatch } from '#usecases/rehearse-batch.ts';

export interface CreateBatchDeps extends RehearseBatchDeps {
  batches: BatchStore;
  clusters: Pick<ClusterRegistry, 'list'>;
  queue: Queue<RolloutQueues>;
  log?: Log;
  outboundAllow?: OutboundAllowList;
  /** Refuse plain-http callback URLs (AWS's default). */
  requireHttps?: boolean;
  idempotencyTtlSeconds?: number;
  newId?: () => string;
}

export interface CreateBatchInput {
  request: BatchRequest;
  idempotencyKey?: string;
  /** The rollout first wakes this much later (a release's batch waits for the catalog to reach every function). */
  startDelaySeconds?: number;
}

export type CreateBatchResult =
  | { dryRun: false; batch: Batch; created: boolean }
  | { dryRun: true; rehearsal: RehearsalView };

/** Active jobs looked up at once. */
const PARALLEL_LOOKUPS = 32;

/** The request as the batch keeps it (its callback URL normalized), or why it is refused. */
function checkRequest(request: BatchRequest, catalog: Catalog, rules: OutboundRules): BatchRequest {
  if (!catalog.versions.some((entry) => semver.eq(entry.version, request.targetVersion))) {
    const known = catalog.versions.map((entry) => entry.version).join(', ');
    throw new ValidationError(
      `targetVersion ${request.targetVersion} is not in the catalog (known: ${known})`,
      {
        code: 'UNKNOWN_VERSION',
      },
    );
  }
  if (request.options?.takeBackup && request.options.skipBackupCheck) {
    throw new ValidationError(
      'options.takeBackup and options.skipBackupCheck contradict each other: choose one',
    );
  }
  if (request.callbackUrl === undefined) return request;
  return { ...request, callbackUrl: checkCallbackUrl(request.callbackUrl, rules) };
}

/** The clusters of `names` with an active job, and which. A cluster's active job is its newest. */
async function busyClusters(deps: CreateBatchDeps, names: readonly string[]): Promise<Map<string, string>> {
  const busy = new Map<string, string>();
  for (let start = 0; start < names.length; start += PARALLEL_LOOKUPS) {
    const chunk = names.slice(start, start + PARALLEL_LOOKUPS);
    const newest = await Promise.all(chunk.map((cluster) => deps.jobs.list({ cluster, limit: 5 })));
    newest.forEach((jobs, index) => {
      const active = jobs.find((job) => isActive(job.state));
      if (active) busy.set(chunk[index] as string, `upgrade job ${active.id} is ${active.state}`);
    });
  }
  return busy;
}

function refuseBusy(busy: ReadonlyMap<string, string>): never {
  const names = [...busy.keys()];
  throw new ConflictError(
    `${nameList(names)} ${names.length === 1 ? 'has' : 'have'} an active upgrade job: wait for ${names.length === 1 ? 'it' : 'them'}, leave ${names.length === 1 ? 'it' : 'them'} out, or set strategy.skipBusy to skip busy clusters`,
    { code: 'CLUSTERS_BUSY', details: { busy: Object.fromEntries(busy) } },
  );
}

async function plan(deps: CreateBatchDeps, request: BatchRequest) {
  const records = await deps.clusters.list();
  const fleet = records.map((record) => ({ name: record.name, labels: record.labels }));
  const selection = selectClusters(request, fleet);
  if (selection.unknown.length > 0) {
    throw new NotFoundError(
      `${selection.unknown.length === 1 ? 'cluster' : 'clusters'} ${nameList(selection.unknown)} ${selection.unknown.length === 1 ? 'is' : 'are'} not registered: add them with PUT /clusters/{name}`,
      { details: { unknown: selection.unknown } },
    );
  }
  const waves = planWaves(selection.clusters, request.strategy);
  const byName = new Map<string, ClusterRecord>(records.map((record) => [record.name, record]));
  const busy = await busyClusters(
    deps,
    selection.clusters.map((cluster) => cluster.name),
  );
  return { waves, records: byName, busy };
}

export async function createBatch(
  deps: CreateBatchDeps,
  input: CreateBatchInput,
): Promise<CreateBatchResult> {
  const request = checkRequest(input.request, deps.catalog, {
    allow: deps.outboundAllow ?? NO_OUTBOUND_ALLOW,
    requireHttps: deps.requireHttps,
  });
  const at = deps.clock.now();
  const fingerprint = batchRequestFingerprint(request);
  // A retry (after a lost reply, a crash) replays its batch before anything is checked again: the
  // batch's own jobs would make its clusters busy by now.
  const earlier =
    input.idempotencyKey && !request.dryRun
      ? await deps.batches.findByIdempotencyKey(input.idempotencyKey, at.toISOString())
      : undefined;
  if (earlier) return settle(deps, input, { created: false, ...earlier }, fingerprint);
  const { waves, records, busy } = await plan(deps, request);
  if (request.dryRun) {
    return { dryRun: true, rehearsal: await rehearseBatch(deps, { request, waves, records, busy }) };
  }
  if (busy.size > 0 && !request.strategy.skipBusy) refuseBusy(busy);
  const batch = newBatch({ id: deps.newId?.() ?? randomUUID(), request, waves, at, busy });
  const ttlSeconds = deps.idempotencyTtlSeconds ?? DEFAULT_IDEMPOTENCY_TTL_SECONDS;
  const idempotency = input.idempotencyKey && {
    key: input.idempotencyKey,
    fingerprint,
    expiresAt: new Date(at.getTime() + ttlSeconds * 1000).toISOString(),
  };
  return settle(deps, input, await deps.batches.create(batch, idempotency || undefined), fingerprint);
}

/** The stored batch as the answer: a key reused for another request is refused; a new batch is woken. */
async function settle(
  deps: CreateBatchDeps,
  input: CreateBatchInput,
  outcome: BatchCreateOutcome,
  fingerprint: string,
): Promise<CreateBatchResult> {
  if (!outcome.created && outcome.fingerprint !== fingerprint) {
    throw new ConflictError(
      `this Idempotency-Key was used for a different batch request, which created batch ${outcome.batch.id}; send a new key for a new request`,
      { code: 'IDEMPOTENCY_KEY_REUSED', details: { batchId: outcome.batch.id } },
    );
  }
  const stored = outcome.batch;
  // A retry may follow a crash between the insert and the send: wake it while it has never been decided.
  if (outcome.created || stored.version === 0) await wake(deps, stored, input.startDelaySeconds ?? 0);
  deps.log?.info('batch created', {
    batchId: stored.id,
    clusters: stored.clusters.length,
    created: outcome.created,
  });
  return { dryRun: false, batch: stored, created: outcome.created };
}

/** The first message; a batch it cannot be sent for would never start: it is cancelled, saying why. */
async function wake(deps: CreateBatchDeps, batch: Batch, delaySeconds: number): Promise<void> {
  try {
    const options = delaySeconds > 0 ? { delaySeconds } : {};
    await deps.queue.send('rollout', { batchId: batch.id, reason: 'created' }, options);
  } catch (error) {
    const note = `could not enqueue the rollout: ${errorMessage(error)}`;
    const decision = decide(batch, deps.clock.now(), {
      command: { kind: 'cancel', by: 'redis-upgrader', note },
    });
    await deps.batches.update(decision.batch, batch.version, decision.events).catch((cleanup: unknown) => {
      deps.log?.error('could not cancel an unqueued batch', { batchId: batch.id, error: String(cleanup) });
    });
    throw error;
  }
}
