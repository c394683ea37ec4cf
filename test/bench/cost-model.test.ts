import { describe, expect, it } from 'vitest';
import {
  ASSUMPTIONS,
  batchWriteUnits,
  estimateCost,
  type HopCounts,
  type JobWriteCounts,
  jobWriteUnits,
  PRICES,
} from '../../bench/cost-model.ts';

/** One single-hop job: its start, nine writes while active (five to a new state), its end. */
const hop: JobWriteCounts = {
  creates: 1,
  keyedCreates: 0,
  activeWrites: 9,
  stateChanges: 5,
  ends: 1,
  inBatch: 0,
};

describe('jobWriteUnits', () => {
  it.each([
    // Table: the start's puts of job and lock (2), nine puts (9), the end's put and lock delete
    // (2); a keyed start is one transaction of job, lock and key at twice each (6).
    // Lock-indexed: the lock's byState entry put and deleted (2; by cluster the lock is read by
    // its key), the ended job's two put (2).
    // Job-indexed: eleven writes rewrite two entries (22), six moves of the byState entry.
    { case: 'one unit items', counts: hop, bytes: 950, lockIndexed: 17, jobIndexed: 41 },
    { case: 'two unit items', counts: hop, bytes: 1100, lockIndexed: 30, jobIndexed: 80 },
    {
      case: 'a rollout job (byBatch too)',
      counts: { ...hop, inBatch: 1 },
      bytes: 950,
      lockIndexed: 20,
      jobIndexed: 52,
    },
    { case: 'keyed start', counts: { ...hop, keyedCreates: 1 }, bytes: 950, lockIndexed: 21, jobIndexed: 45 },
  ])('$case', ({ counts, bytes, lockIndexed, jobIndexed }) => {
    expect(jobWriteUnits(counts, bytes, 'lock-indexed')).toBe(lockIndexed);
    expect(jobWriteUnits(counts, bytes, 'job-indexed')).toBe(jobIndexed);
  });
});

describe('batchWriteUnits', () => {
  it.each([
    { case: 'a put', bytes: 900, events: 0, units: 1, indexed: 2 },
    { case: 'a 3 KB batch', bytes: 3000, events: 0, units: 3, indexed: 6 },
    { case: 'with two events: a transaction', bytes: 900, events: 2, units: 6, indexed: 7 },
  ])('$case', ({ bytes, events, units, indexed }) => {
    expect(batchWriteUnits(bytes, events)).toBe(units);
    expect(batchWriteUnits(bytes, events, 'batch-indexed')).toBe(indexed);
  });
});

describe('estimateCost', () => {
  const counts: HopCounts = {
    messages: 10,
    notifyMessages: 0,
    batches: 10,
    jobEvents: 7,
    jobWrites: hop,
    batchWriteUnits: 0,
    jobBytes: 2200,
    itemBytes: 950,
    logLines: 12,
    logBytes: 5_000,
    pushes: 0.01,
  };

  it('bills a batch of messages as one invocation, one receive and one delete', () => {
    const single = estimateCost(counts).perThousandHops;
    const batched = estimateCost({ ...counts, batches: 1 }).perThousandHops;

    expect(batched.lambdaRequests).toBeCloseTo(single.lambdaRequests / 10, 6);
    // Ten sends either way; receives and deletes from twenty to two.
    expect(batched.sqs / single.sqs).toBeCloseTo(12 / 30, 3);
    expect(batched.lambdaCompute).toBeLessThan(single.lambdaCompute);
  });

  it('bills no write for job events, which are the job’s history; the event log before is the difference', () => {
    const quiet = estimateCost({ ...counts, jobEvents: 0 });
    const busy = estimateCost({ ...counts, jobEvents: 7, notifyMessages: 1 });

    expect(busy.perThousandHops.dynamoWrites).toBe(quiet.perThousandHops.dynamoWrites);
    expect(busy.totalWithEventLog - busy.perThousandHops.total).toBeCloseTo(
      8 * 1000 * PRICES.dynamoWriteUnit,
      4,
    );
  });

  it("bills the rollout's batch writes with the job writes", () => {
    const without = estimateCost(counts).perThousandHops.dynamoWrites;
    const withBatch = estimateCost({ ...counts, batchWriteUnits: 4 }).perThousandHops.dynamoWrites;

    expect(withBatch - without).toBeCloseTo(4 * 1000 * PRICES.dynamoWriteUnit, 6);
  });

  it("bills each job's wait history write as the whole item it rewrites, and its read", () => {
    // Prepare: a job's writes and the reads of an idle hop, taken apart from the history's
    const quiet = { ...counts, messages: 0, jobEvents: 0 };
    const jobUnits = jobWriteUnits(counts.jobWrites, counts.itemBytes, 'lock-indexed');
    // Act
    const bill = estimateCost(quiet).perThousandHops;
    // Assess: every slot used, the item is past 2 KB
    expect(ASSUMPTIONS.waitHistoryWriteUnits).toBe(3);
    expect(bill.dynamoWrites).toBeCloseTo(
      (jobUnits + counts.batchWriteUnits + 3) * 1000 * PRICES.dynamoWriteUnit,
      4,
    );
    expect(bill.dynamoReads).toBeCloseTo(0.5 * 1000 * PRICES.dynamoReadUnit, 4);
  });

  it("bills the logs counted, what Lambda adds to each line, and each invocation's own lines", () => {
    // Large steps: each estimate is rounded to 1/100 of a cent.
    const base = estimateCost(counts).perThousandHops.logs;
    const longer = estimateCost({ ...counts, logBytes: 105_000 }).perThousandHops.logs;
    const moreLines = estimateCost({ ...counts, logLines: 112 }).perThousandHops.logs;
    const batched = estimateCost({ ...counts, batches: 100 }).perThousandHops.logs;

    // A thousand hops, $0.50 per GB.
    expect(longer - base).toBeCloseTo((100_000 * 1_000 * 0.5) / 1e9, 3);
    expect(moreLines - base).toBeCloseTo((100 * ASSUMPTIONS.lambdaBytesPerLogLine * 1_000 * 0.5) / 1e9, 3);
    expect(batched - base).toBeCloseTo((90 * ASSUMPTIONS.logBytesPerInvocation * 1_000 * 0.5) / 1e9, 3);
    // The sample lines: the request id, cold start and trace id and the function's key, about a
    // hundred bytes with their metadata; four lines an invocation.
    expect(ASSUMPTIONS.lambdaBytesPerLogLine).toBeGreaterThan(100);
    expect(ASSUMPTIONS.lambdaBytesPerLogLine).toBeLessThan(200);
    expect(ASSUMPTIONS.logBytesPerInvocation).toBeGreaterThan(600);
  });
});
