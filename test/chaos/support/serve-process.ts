/**
 * `redis-upgrader serve` as its own process, the way an operator runs it, on a fixed port and
 * data dir so that it can be SIGKILLed and started again in place.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { tracked } from './child-processes.ts';

export const CLI = resolve(import.meta.dirname, '../../../cli/main.ts');

export interface ServeProcessOptions {
  dataDir: string;
  token: string;
  /** REDIS_UPGRADER_* settings beyond data dir, port and token. */
  env: Record<string, string>;
  /** Where its log lines go (default: dropped). */
  logFile?: string;
}

export interface ServeProcess {
  url: string;
  start(): Promise<void>;
  /** SIGKILL: no shutdown, no flush, in-flight messages stay invisible until their timeout. */
  kill(): Promise<void>;
  /** SIGTERM and wait: the graceful way. */
  stop(): Promise<void>;
  readonly running: boolean;
}

/** A port free right now (the OS picks it), so restarts can listen on the same one. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/**
 * Resolves with the first JSON line on the child's stdout that `ready` accepts; rejects if the
 * child exits first. Every line (before and after) goes to `sink`, so the pipe never fills up.
 */
export function readyLine<T>(
  child: ChildProcess,
  what: string,
  ready: (value: Record<string, unknown>) => boolean,
  sink: (line: string) => void = () => undefined,
): Promise<T> {
  const stdout = child.stdout;
  if (!stdout) return Promise.reject(new Error(`${what}: no stdout`));
  return new Promise<T>((resolveReady, reject) => {
    let settled = false;
    const onExit = (code: number | null, signal: string | null) => {
      if (!settled) reject(new Error(`${what} exited (${code ?? signal}) before it was ready`));
      settled = true;
    };
    child.once('exit', onExit);
    createInterface({ input: stdout }).on('line', (line) => {
      sink(line);
      if (settled || !line.startsWith('{')) return;
      try {
        const value = JSON.parse(line) as Record<string, unknown>;
        if (!ready(value)) return;
        settled = true;
        child.off('exit', onExit);
        resolveReady(value as T);
      } catch {
        // not JSON after all: a log line cut short, keep reading
      }
    });
  });
}

/** Polls /healthz until it answers 200; rejects when the process exits first or after 30 s. */
async function untilHealthy(child: ChildProcess, url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `redis-upgrader serve exited (${child.exitCode ?? child.signalCode}) before it was ready`,
      );
    }
    const ok = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await sleep(100);
  }
  throw new Error('redis-upgrader serve did not answer /healthz within 30 s');
}

export async function serveProcess(options: ServeProcessOptions): Promise<ServeProcess> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const env = {
    ...process.env,
    ...options.env,
    REDIS_UPGRADER_DATA_DIR: options.dataDir,
    REDIS_UPGRADER_PORT: String(port),
    REDIS_UPGRADER_API_TOKEN: options.token,
  };
  const exited = async (signal: NodeJS.Signals) => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const done = once(running, 'exit');
    running.kill(signal);
    await done;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    async start() {
      child = tracked(spawn(process.execPath, [CLI, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
      if (options.logFile) {
        const log = createWriteStream(options.logFile, { flags: 'a' });
        child.stdout?.pipe(log);
        child.stderr?.pipe(log);
      } else {
        child.stdout?.resume();
        child.stderr?.resume();
      }
      await untilHealthy(child, `http://127.0.0.1:${port}`);
    },
    kill: () => exited('SIGKILL'),
    stop: () => exited('SIGTERM'),
  };
}
