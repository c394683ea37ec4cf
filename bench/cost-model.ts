/**
 * What 1,000 single-hop cluster upgrades cost on AWS at list prices (us-east-1, arm64, on-demand,
 * free tiers ignored), from what the fleet bench counted per cluster-hop at the production
 * cadence, and the monthly fixed cost of a 1,000-cluster fleet. Every price and every assumption
 * is printed with the result; change them here, in one place.
 */

import { dynamoItemBytes } from '#adapters/aws/dynamo-item-size.ts';
import { keys } from '#adapters/aws/dynamo-schema.ts';
import { slotAttribute } from '#adapters/aws/dynamo-wait-history.ts';
import { HISTORY_SLOTS } from '#domain/wait-history.ts';
import { SERVICE_NAME, UpgraderLogFormatter } from '#shared/logger.ts';
import { QUEUE_NAMES } from '#usecases/consumer-row.ts';

/** USD list prices. */
export const PRICES = {
  lambdaRequest: 0.2 / 1e6,
  /** Per GB-second, arm64. */
  lambdaGbSecond: 0.0000133334,
  /** Standard queue, per request (a batch of up to 10 messages is one request). */
  sqsRequest: 0.4 / 1e6,
  /**
   * On-demand, per write request unit (1 KB) and per read request unit (4 KB, strongly
   * consistent): the price list's PayPerRequestThroughput WriteRequestUnits and ReadRequestUnits
   * since 1 November 2024, half the $1.25 and $0.25 before.
   */
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  xrayTrace: 5 / 1e6,
  /** Per GB ingested. */
  logsGb: 0.5,
  secretMonth: 0.4,
  secretsApiCall: 0.05 / 10_000,
  alarmMonth: 0.1,
} as const;

const REQUEST_ID = '6f8a2c1e-5b3d-4c7a-9e2f-1a2b3c4d5e6f';
const FUNCTION = 'redis-upgrader-PatchSubscription-AbCdEf123456';

const LAMBDA_CONTEXT = {
  coldStart: false,
  functionName: FUNCTION,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${FUNCTION}`,
  memoryLimitInMB: '512',
  awsRequestId: REQUEST_ID,
};
const LOCAL_RUNTIME_FIELDS = { runtime: 'local', component: 'consumer', queue: 'patch-subscription' };
/** The Root of _X_AMZN_TRACE_ID, which Lambda sets on every invocation, sampled or not. */
const XRAY_TRACE_ID = '1-5e1b4151-5ac6c58f5b5daa6532e4f8a1';

/**
 * Bytes of one line as the upgrader's formatter (shared/logger.ts) writes it, on Lambda (its
 * context, the function's key) or locally (the local runtime's keys instead).
 */
function formattedLineBytes(where: 'lambda' | 'local'): number {
  const lambda = where === 'lambda';
  const item = new UpgraderLogFormatter().formatAttributes(
    {
      logLevel: 'INFO',
      message: 'waiting',
      timestamp: new Date(1_764_748_800_000),
      serviceName: SERVICE_NAME,
      sampleRateValue: 0,
      awsRegion: 'us-east-1',
      ...(lambda ? { lambdaContext: LAMBDA_CONTEXT, xRayTraceId: XRAY_TRACE_ID } : {}),
    },
    lambda ? { function: 'patch-subscription' } : LOCAL_RUNTIME_FIELDS,
  );
  item.prepareForPrint();
  return JSON.stringify(item.getAttributes()).length;
}

/** Lambda's own lines of an invocation and the metrics line Powertools flushes at its end. */
const INVOCATION_LOG_LINES = [
  `START RequestId: ${REQUEST_ID} Version: $LATEST`,
  `END RequestId: ${REQUEST_ID}`,
  `REPORT RequestId: ${REQUEST_ID}\tDuration: 245.31 ms\tBilled Duration: 246 ms\tMemory Size: 512 MB\tMax Memory Used: 118 MB\t\nXRAY TraceId: 1-5e1b4151-5ac6c58f5b5daa6532e4f8a1\tSegmentId: 6b9e5b6f0f0a1c2d\tSampled: false\t`,
  JSON.stringify({
    _aws: {
      Timestamp: 1_764_748_800_000,
      CloudWatchMetrics: [
        {
          Namespace: 'redis-upgrader',
          Dimensions: [['service', 'function']],
          Metrics: [
            { Name: 'StageMessagesProcessed', Unit: 'Count' },
            { Name: 'StageDuration', Unit: 'Milliseconds' },
          ],
        },
      ],
    },
    service: 'redis-upgrader',
    function: 'patch-subscription',
    StageMessagesProcessed: [1, 1, 1, 1],
    StageDuration: [212.4, 198.7, 230.1, 187.9],
  }),
];

/** The wait history's item with every slot used, each a job's four stage times. */
function fullWaitHistoryBytes(): number {
  const seconds = { 'check-backup': 12, 'upload-package': 45, 'patch-subscription': 905, verify: 125 };
  const at = '2026-12-03T12:00:00.000Z';
  const slots = Array.from({ length: HISTORY_SLOTS }, (_, slot) => [slotAttribute(slot), { seconds, at }]);
  return dynamoItemBytes({ ...keys.waitHistory(), ...Object.fromEntries(slots) });
}

/** How the counts become billed units; printed with every estimate. */
export const ASSUMPTIONS = {
  /** The stack's 512 MB. */
  memoryGb: 0.5,
  /** Duration of a stage or notify invocation of one message: a few reads and one conditional write. */
  stageInvocationSeconds: 0.25,
  /**
   * Each further message of a batch: the batch's records run in parallel (Powertools), so one adds
   * its CPU, about 10 ms on this machine's core, a third of a core at 512 MB.
   */
  batchRecordSeconds: 0.03,
  /** A real `violet push` uploads the plugin's images once: ~30 s of an upload invocation... */
  pushSeconds: 30,
  /** ...and creates each listed cluster's ArtifactVersion, an API call or two each. */
  pushSecondsPerCluster: 0.2,
  /** Per message a send; per batch a receive and a batched delete (the event source's). */
  sqsRequestsPerBatch: 2,
  /** Per processed message: the job read (conditional writes need no read of their own). */
  dynamoReadsPerMessage: 1,
  /**
   * For comparison only: the event log releases before ADR 0008 kept, an item under 1 KB written
   * by the emitter for every job event, and again by notify for each event sent to it. A job's
   * events are now its history, written with the job.
   */
  eventWriteUnits: 1,
  /**
   * A transaction bills each of its items twice. Index writes it causes are billed once here
   * (a lower bound): the lock and index entries are small, one unit each.
   */
  transactionFactor: 2,
  /** The emitter's look at the webhook endpoints per job event: one eventually consistent query under 4 KB. */
  endpointReadUnits: 0.5,
  /**
   * The wait history (#domain/wait-history.ts): per job, one eventually consistent read at its
   * start and one write of the whole item when it succeeds.
   */
  waitHistoryReadUnits: 0.5,
  waitHistoryWriteUnits: Math.ceil(fullWaitHistoryBytes() / 1024),
  /** X-Ray's default sampling: the first request each second and 5% of the rest. */
  xraySampled: 0.05,
  /**
   * Each line the upgrader logs (counted by the bench at INFO, as deployed) gains on Lambda the
   * context fields injectLambdaContext adds that the formatter keeps, less the local runtime's own
   * keys, and CloudWatch bills 26 bytes of metadata per log event.
   */
  lambdaBytesPerLogLine: formattedLineBytes('lambda') - formattedLineBytes('local') + 26,
  /** Each invocation's START, END and REPORT lines and its metrics line (EMF), with their metadata. */
  logBytesPerInvocation: INVOCATION_LOG_LINES.reduce((sum, line) => sum + line.length + 26, 0),
  alarms: 13,
  platforms: 10,
  clusters: 1_000,
  /** Queues a Lambda event source polls (stages, notify, rollout, webhook delivery)... */
  polledQueues: QUEUE_NAMES.length,
  /** ...each with long polls of 20 s from five pollers, messages or not. */
  idlePollers: 5,
} as const;

/** Job store writes per cluster-hop, by what DynamoDB bills differently. */
export interface JobWriteCounts {
  /**
   * Starts: the job's put and its cluster lock's, two plain puts; of which `keyedCreates` put
   * them with an Idempotency-Key in one transaction.
   */
  creates: number;
  keyedCreates: number;
  /** Puts of an active job, of which `stateChanges` move it to another state. */
  activeWrites: number;
  stateChanges: number;
  /** The ended job's put and its lock's delete. */
  ends: number;
  /** Jobs of a rollout, which the byBatch index holds too. */
  inBatch: number;
}

/**
 * Write units of one write of a rollout's batch: its item and the events it records, in a
 * transaction when any. `batch-indexed`, the layout before listing items, for comparison: the
 * batch item in the byState index, whose entry every write rewrote.
 */
export function batchWriteUnits(
  itemBytes: number,
  events: number,
  layout: 'listing-item' | 'batch-indexed' = 'listing-item',
): number {
  const item = Math.ceil(itemBytes / 1024);
  const tx = events > 0 ? ASSUMPTIONS.transactionFactor : 1;
  return tx * (item + events) + (layout === 'batch-indexed' ? item : 0);
}

export interface HopCounts {
  /** Queue messages per cluster-hop, of which notify (job events with receivers). */
  messages: number;
  notifyMessages: number;
  /** Batches the consumers received per cluster-hop: Lambda invocations. */
  batches: number;
  /** Job events per cluster-hop, each asking the emitter's endpoint query whether or not it goes to notify. */
  jobEvents: number;
  jobWrites: JobWriteCounts;
  /** The upgrader's log lines and their bytes per cluster-hop, as the bench counted them locally. */
  logLines: number;
  logBytes: number;
  /** Write units of the rollout's batch writes (batchWriteUnits), per cluster-hop; 0 without a rollout. */
  batchWriteUnits: number;
  /** The same writes with the batch item indexed (the layout before listing items). */
  batchWriteUnitsBefore?: number;
  jobBytes: number;
  /** The job's DynamoDB item (its job compressed, keys and index attributes beside it). */
  itemBytes: number;
  /** violet runs per cluster-hop (1 when every cluster pushes alone). */
  pushes: number;
}

/**
 * Write units of a hop's job writes on the table and its three indexes, which project every
 * attribute: an index entry is billed whenever its item is written, twice when the write moves
 * its key. `lock-indexed` is the store's layout (dynamo-job-index.ts): an active job's byState
 * and byBatch entries are its lock's, put when it starts and deleted when it ends. `job-indexed`, the
 * layout before, for comparison: the job item in every index all its life.
 */
export function jobWriteUnits(
  w: JobWriteCounts,
  itemBytes: number,
  layout: 'lock-indexed' | 'job-indexed',
): number {
  const item = Math.ceil(itemBytes / 1024);
  const tx = ASSUMPTIONS.transactionFactor;
  const table =
    (w.creates - w.keyedCreates) * (item + 1) +
    w.keyedCreates * tx * (item + 2) +
    w.activeWrites * item +
    w.ends * (item + 1);
  const inIndexes = 2 + w.inBatch / Math.max(w.creates, 1);
  if (layout === 'lock-indexed') {
    // The lock's entries (byState, byBatch: a list by cluster reads the lock by its key) put at
    // the start and deleted at the end; the ended job's in every index, put once.
    return table + (inIndexes - 1) * (w.creates + w.ends) + inIndexes * w.ends * item;
  }
  // Every write rewrites each entry, and one that changes the state moves the byState entry.
  const writes = w.creates + w.activeWrites + w.ends;
  return table + (writes * inIndexes + w.stateChanges + w.ends) * item;
}

type CostLines = Record<
  'lambdaRequests' | 'lambdaCompute' | 'sqs' | 'dynamoWrites' | 'dynamoReads' | 'xray' | 'logs',
  number
>;

export interface CostEstimate {
  perThousandHops: CostLines & { total: number };
  /** Job write units per hop, the store's layout and the one before. */
  jobWriteUnits: { lockIndexed: number; jobIndexed: number };
  /** The total with the layouts before (job and batch items indexed themselves), for comparison. */
  totalIndexedItems: number;
  /** The total with the event log before ADR 0008, for comparison. */
  totalWithEventLog: number;
  monthlyFixed: {
    perClusterSecrets: number;
    perPlatformSecrets: number;
    alarms: number;
    idleQueuePolls: number;
  };
}

const round = (usd: number) => Number(usd.toFixed(4));

export function estimateCost(hop: HopCounts): CostEstimate {
  const a = ASSUMPTIONS;
  const hops = 1_000;
  const messages = hop.messages * hops;
  const invocations = hop.batches * hops;
  const pushSeconds = hop.pushes * hops * a.pushSeconds + hops * a.pushSecondsPerCluster;
  const writeUnits = {
    lockIndexed: jobWriteUnits(hop.jobWrites, hop.itemBytes, 'lock-indexed'),
    jobIndexed: jobWriteUnits(hop.jobWrites, hop.itemBytes, 'job-indexed'),
  };
  const lines: CostLines = {
    lambdaRequests: invocations * PRICES.lambdaRequest,
    lambdaCompute:
      (invocations * a.stageInvocationSeconds +
        (messages - invocations) * a.batchRecordSeconds +
        pushSeconds) *
      a.memoryGb *
      PRICES.lambdaGbSecond,
    sqs: (messages + invocations * a.sqsRequestsPerBatch) * PRICES.sqsRequest,
    dynamoWrites:
      (writeUnits.lockIndexed + hop.batchWriteUnits + a.waitHistoryWriteUnits) *
      hops *
      PRICES.dynamoWriteUnit,
    dynamoReads:
      (messages * a.dynamoReadsPerMessage * Math.ceil(hop.itemBytes / 4096) +
        hop.jobEvents * hops * a.endpointReadUnits +
        hops * a.waitHistoryReadUnits) *
      PRICES.dynamoReadUnit,
    xray: invocations * a.xraySampled * PRICES.xrayTrace,
    logs:
      (((hop.logBytes + hop.logLines * a.lambdaBytesPerLogLine) * hops +
        invocations * a.logBytesPerInvocation) /
        1e9) *
      PRICES.logsGb,
  };
  const total = Object.values(lines).reduce((sum, usd) => sum + usd, 0);
  const pollsPerMonth = ((30 * 24 * 3600) / 20) * a.idlePollers * a.polledQueues;
  return {
    perThousandHops: {
      ...(Object.fromEntries(Object.entries(lines).map(([k, v]) => [k, round(v)])) as CostLines),
      total: round(total),
    },
    jobWriteUnits: { lockIndexed: round(writeUnits.lockIndexed), jobIndexed: round(writeUnits.jobIndexed) },
    totalIndexedItems: round(
      total +
        (writeUnits.jobIndexed -
          writeUnits.lockIndexed +
          (hop.batchWriteUnitsBefore ?? hop.batchWriteUnits) -
          hop.batchWriteUnits) *
          hops *
          PRICES.dynamoWriteUnit,
    ),
    totalWithEventLog: round(
      total + (hop.jobEvents + hop.notifyMessages) * a.eventWriteUnits * hops * PRICES.dynamoWriteUnit,
    ),
    monthlyFixed: {
      perClusterSecrets: round(a.clusters * PRICES.secretMonth),
      perPlatformSecrets: round(a.platforms * PRICES.secretMonth),
      alarms: round(a.alarms * PRICES.alarmMonth),
      idleQueuePolls: round(pollsPerMonth * PRICES.sqsRequest),
    },
  };
}
