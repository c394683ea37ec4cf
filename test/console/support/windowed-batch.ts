/**
 * A rollout that waits for its maintenance window (opening in 10 to 11 minutes, UTC, every day):
 * it stays `outside-window` and touches no cluster for the length of a test, so a test can look at
 * it, command it and change it through the API while a page shows it.
 */
import { expect } from 'vitest';
import type { ConsoleFleet } from './console-fleet.ts';

const MINUTE = 60_000;
const hhmm = (at: Date) => at.toISOString().slice(11, 16);

export interface BatchReply {
  id: string;
  state: string;
  version: number;
  windowOpensAt?: string;
}

export async function readBatch(harness: ConsoleFleet, id: string): Promise<BatchReply> {
  return (await harness.runtime.request('GET', `/batches/${id}`)).body as BatchReply;
}

/** Starts the rollout of `cluster` and returns it once it waits for its window. */
export async function windowedBatch(
  harness: ConsoleFleet,
  cluster: string,
): Promise<BatchReply & { opens: Date }> {
  const opens = new Date(Math.ceil(Date.now() / MINUTE) * MINUTE + 10 * MINUTE);
  const created = await harness.runtime.request('POST', '/batches', {
    targetVersion: '4.0.3',
    clusters: [cluster],
    strategy: {
      window: {
        days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
        start: hhmm(opens),
        end: hhmm(new Date(opens.getTime() + 60 * MINUTE)),
        timeZone: 'UTC',
      },
    },
  });
  expect(created.status).toBe(202);
  const { id } = created.body as BatchReply;
  await expect
    .poll(async () => (await readBatch(harness, id)).state, { timeout: 15_000 })
    .toBe('outside-window');
  return { ...(await readBatch(harness, id)), opens };
}
