/**
 * Load generator for bench/sim.ts, run in a worker thread so the client's work does not share the
 * simulator's event loop: keep-alive HTTP on loopback, a fixed number of requests in flight,
 * bounded by both a request count and a duration.
 */
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

export interface LoadJob {
  /** Request targets; each request picks the next one round-robin. */
  urls: string[];
  method: 'GET' | 'PATCH';
  token: string;
  body?: string;
  contentType?: string;
  concurrency: number;
  durationMs: number;
  maxRequests: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
}

function once(agent: Agent, job: LoadJob, url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        agent,
        method: job.method,
        headers: {
          Authorization: `Bearer ${job.token}`,
          Accept: 'application/json',
          ...(job.body
            ? { 'Content-Type': job.contentType, 'Content-Length': Buffer.byteLength(job.body) }
            : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(job.body);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

export async function runLoad(job: LoadJob): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const started = performance.now();
  const deadline = started + job.durationMs;
  let issued = 0;
  const lane = async () => {
    while (issued < job.maxRequests && performance.now() < deadline) {
      const url = job.urls[issued++ % job.urls.length] as string;
      const t0 = performance.now();
      const status = await once(agent, job, url);
      latencies.push(performance.now() - t0);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, lane));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const ok = Object.entries(statuses)
    .filter(([code]) => code.startsWith('2'))
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    requests: latencies.length,
    errors: latencies.length - ok,
    statuses,
    seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

if (parentPort) {
  parentPort.postMessage(await runLoad(workerData as LoadJob));
}
