/**
 * What 1,000 single-hop cluster upgrades cost on AWS at list prices (us-east-1, arm64, on-demand,
 * free tiers ignored), from what the fleet bench counted per cluster-hop at the production
 * cadence, and the monthly fixed cost of a 1,000-cluster fleet. Every price and every assumption
 * is printed with the result; change them here, in one place.
 */

/** USD list prices. */
export const PRICES = {
  lambdaRequest: 0.2 / 1e6,
  /** Per GB-second, arm64. */
  lambdaGbSecond: 0.0000133334,
  /** Standard queue, per request (a batch of up to 10 messages is one request). */
  sqsRequest: 0.4 / 1e6,
  /** On-demand, per write request unit (1 KB) and per read request unit (4 KB, strongly consistent). */
  dynamoWriteUnit: 1.25 / 1e6,
  dynamoReadUnit: 0.25 / 1e6,
  xrayTrace: 5 / 1e6,
  /** Per GB ingested. */
  logsGb: 0.5,
  secretMonth: 0.4,
  secretsApiCall: 0.05 / 10_000,
  alarmMonth: 0.1,
} as const;

/** How the counts become billed units; printed with every estimate. */
export const ASSUMPTIONS = {
  /** Each queue message is one invocation (no batching: an upper bound), at the stack's 512 MB. */
  memoryGb: 0.5,
  /** Duration of a stage or notify invocation: a few reads and one conditional write. */
  stageInvocationSeconds: 0.25,
  /** A real `violet push` uploads the plugin's images once: ~30 s of an upload invocation... */
  pushSeconds: 30,
  /** ...and creates each listed cluster's ArtifactVersion, an API call or two each. */
  pushSecondsPerCluster: 0.2,
  /** Per message: send, receive and delete, each a request (batching would divide the last two). */
  sqsRequestsPerMessage: 3,
  /** Per processed message: the job read (conditional writes need no read of their own). */
  dynamoReadsPerMessage: 1,
  /**
   * An event log item, under 1 KB: written by the emitter for every job event, and again (a put
   * over itself, billed alike) by notify for each event sent to it.
   */
  eventWriteUnits: 1,
  /** The emitter's look at the webhook endpoints per job event: one eventually consistent query under 4 KB. */
  endpointReadUnits: 0.5,
  /** X-Ray's default sampling: the first request each second and 5% of the rest. */
  xraySampled: 0.05,
  logBytesPerInvocation: 2_000,
  alarms: 13,
  platforms: 10,
  clusters: 1_000,
} as const;

export interface HopCounts {
  /** Queue messages per cluster-hop, of which notify (job events with receivers or a rollout to wake). */
  messages: number;
  notifyMessages: number;
  /** Job events per cluster-hop, each recorded by its emitter whether or not it goes to notify. */
  jobEvents: number;
  /** Job store writes per cluster-hop, and the stored job's size. */
  jobWrites: number;
  jobBytes: number;
  /** The job's DynamoDB item (its job compressed, keys and index attributes beside it). */
  itemBytes: number;
  /** violet runs per cluster-hop (1 when every cluster pushes alone). */
  pushes: number;
}

export interface CostEstimate {
  perThousandHops: Record<string, number> & { total: number };
  monthlyFixed: { perClusterSecrets: number; perPlatformSecrets: number; alarms: number };
}

const round = (usd: number) => Number(usd.toFixed(4));

export function estimateCost(hop: HopCounts): CostEstimate {
  const a = ASSUMPTIONS;
  const hops = 1_000;
  const invocations = hop.messages * hops;
  const pushSeconds = hop.pushes * hops * a.pushSeconds + hops * a.pushSecondsPerCluster;
  const writeUnits = Math.ceil(hop.itemBytes / 1024);
  const lines = {
    lambdaRequests: invocations * PRICES.lambdaRequest,
    lambdaCompute:
      (invocations * a.stageInvocationSeconds + pushSeconds) * a.memoryGb * PRICES.lambdaGbSecond,
    sqs: invocations * a.sqsRequestsPerMessage * PRICES.sqsRequest,
    dynamoWrites:
      (hop.jobWrites * writeUnits + (hop.jobEvents + hop.notifyMessages) * a.eventWriteUnits) *
      hops *
      PRICES.dynamoWriteUnit,
    dynamoReads:
      (invocations * a.dynamoReadsPerMessage * Math.ceil(hop.itemBytes / 4096) +
        hop.jobEvents * hops * a.endpointReadUnits) *
      PRICES.dynamoReadUnit,
    xray: invocations * a.xraySampled * PRICES.xrayTrace,
    logs: ((invocations * a.logBytesPerInvocation) / 1e9) * PRICES.logsGb,
  };
  const total = Object.values(lines).reduce((sum, usd) => sum + usd, 0);
  return {
    perThousandHops: {
      ...Object.fromEntries(Object.entries(lines).map(([k, v]) => [k, round(v)])),
      total: round(total),
    },
    monthlyFixed: {
      perClusterSecrets: round(a.clusters * PRICES.secretMonth),
      perPlatformSecrets: round(a.platforms * PRICES.secretMonth),
      alarms: round(a.alarms * PRICES.alarmMonth),
    },
  };
}

/** An item's size as DynamoDB bills it: attribute names plus values (strings and binaries by bytes). */
export function dynamoItemBytes(value: unknown): number {
  if (value instanceof Uint8Array) return value.byteLength;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return Math.ceil(String(value).replace(/[-.]/g, '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (Array.isArray(value))
    return 3 + value.reduce((sum: number, entry) => sum + 1 + dynamoItemBytes(entry), 0);
  return Object.entries(value as Record<string, unknown>).reduce(
    (sum, [name, entry]) => sum + Buffer.byteLength(name) + dynamoItemBytes(entry),
    3,
  );
}
