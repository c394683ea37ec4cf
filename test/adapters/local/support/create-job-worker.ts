/**
 * Runs in a worker thread: opens its own connection to the test database, waits at a shared
 * barrier so every worker writes at the same moment, and tries to create one job.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '#adapters/local/sqlite-database.ts';
import { SqliteJobStore } from '#adapters/local/sqlite-job-store.ts';
import type { Job } from '#domain/job.ts';

const { dir, job, barrier } = workerData as { dir: string; job: Job; barrier: SharedArrayBuffer };
const store = new SqliteJobStore(openDatabase(dir));
const gate = new Int32Array(barrier);
Atomics.add(gate, 0, 1);
Atomics.wait(gate, 1, 0);
try {
  await store.create(job);
  parentPort?.postMessage({ ok: true });
} catch (error) {
  parentPort?.postMessage({ ok: false, code: (error as { code?: string }).code });
}
