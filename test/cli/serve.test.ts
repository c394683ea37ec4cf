/**
 * `redis-upgrader serve` as users run it: the real binary in a child process against the
 * simulated fleet. It prints where it listens and where its data lives, keeps its token and its
 * jobs in the data dir, stops cleanly on SIGTERM, and a new server on the same data dir finishes
 * an upgrade the previous one left in the middle.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type E2eFleet, startE2eFleet } from '#test/e2e/support/e2e-fleet.ts';
import { VIOLET } from '#test/e2e/support/e2e-runtime.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const MAIN = join(ROOT, 'cli', 'main.ts');

interface Server {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  exited: Promise<number | null>;
}

let env: E2eFleet;
const servers: Server[] = [];

/** The environment without the caller's REDIS_UPGRADER_* settings, plus seconds-scale waits. */
function childEnv(): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('REDIS_UPGRADER_')),
  );
  return {
    ...clean,
    REDIS_UPGRADER_STAGE_POLL_SECONDS: '1',
    REDIS_UPGRADER_RETRY_SECONDS: '1',
    REDIS_UPGRADER_POLL_INTERVAL_MS: '50',
    REDIS_UPGRADER_LOG_LEVEL: 'WARN',
  };
}

async function serve(dataDir: string, extra: string[] = []): Promise<Server> {
  const args = ['serve', '--port', '0', '--data-dir', dataDir, '--kubeconfig', env.kubeconfigPath];
  const wiring = [
    '--artifact-mirror',
    env.fleet.downloadBaseUrl,
    '--artifact-mirror-ca',
    env.caFile,
    '--violet',
    VIOLET,
    ...extra,
  ];
  const child = spawn(NODE, [MAIN, ...args, ...wiring], {
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  await expect.poll(() => out, { timeout: 15_000, interval: 20 }).toMatch(/listening on (http:\S+)/);
  const server = {
    child,
    url: /listening on (http:\S+)/.exec(out)?.[1] as string,
    stdout: () => out,
    exited,
  };
  servers.push(server);
  return server;
}

async function stop(server: Server): Promise<number | null> {
  server.child.kill('SIGTERM');
  return server.exited;
}

function api(server: Server, token: string, method: string, path: string, body?: unknown) {
  return fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

beforeAll(async () => {
  env = await startE2eFleet({ upgraded: { syncDelay: '6h' } });
});

afterEach(async () => {
  for (const server of servers.splice(0)) {
    if (server.child.exitCode === null) await stop(server);
  }
});

afterAll(async () => {
  await env?.stop();
});

describe('redis-upgrader serve', () => {
  it('prints where it listens and keeps data, generates a token once, stops cleanly on SIGTERM', async () => {
    // Prepare
    const dataDir = join(env.dir, 'serve-basics');

    // Act
    const first = await serve(dataDir);
    const tokenFile = join(dataDir, 'api-token');
    const token = (await readFile(tokenFile, 'utf8')).trim();
    const health = await fetch(`${first.url}/healthz`);
    const unauthenticated = await api(first, 'wrong-token-0123456789', 'GET', '/clusters');
    const put = await api(first, token, 'PUT', `/clusters/${env.name('upgraded')}`, {
      labels: { env: 'test' },
    });
    const firstExit = await stop(first);
    const second = await serve(dataDir);
    const listed = (await (await api(second, token, 'GET', '/clusters')).json()) as {
      items: { name: string }[];
    };

    // Assess
    expect(first.stdout()).toContain(`data: ${dataDir}`);
    expect(first.stdout()).toContain(`API token: in ${tokenFile}`);
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
    expect(health.status).toBe(200);
    expect(unauthenticated.status).toBe(401);
    expect(put.status).toBe(201);
    expect(firstExit).toBe(0);
    expect(first.stdout()).toMatch(/SIGTERM: stopping.*\nstopped\n$/);
    expect(listed.items.map((cluster) => cluster.name)).toEqual([env.name('upgraded')]);
  });

  it('a new server on the same data dir finishes the upgrade the stopped one left mid-hop', async () => {
    // Prepare: the upgrade is past its upload, waiting for the catalog sync
    const dataDir = join(env.dir, 'serve-restart');
    const first = await serve(dataDir);
    const token = (await readFile(join(dataDir, 'api-token'), 'utf8')).trim();
    await api(first, token, 'PUT', `/clusters/${env.name('upgraded')}`, {});
    const created = (await (
      await api(first, token, 'POST', '/upgrades', { cluster: env.name('upgraded'), targetVersion: '3.18.2' })
    ).json()) as { id: string };
    const state = async (server: Server) =>
      ((await (await api(server, token, 'GET', `/upgrades/${created.id}`)).json()) as { state: string })
        .state;
    await expect.poll(() => state(first), { timeout: 10_000, interval: 50 }).toBe('patching');

    // Act
    expect(await stop(first)).toBe(0);
    const second = await serve(dataDir);

    // Assess
    await expect.poll(() => state(second), { timeout: 15_000, interval: 100 }).toBe('succeeded');
    expect(env.subscription('upgraded').status).toMatchObject({ installedCSV: 'redis-operator.v3.18.2' });
    expect(Object.fromEntries(env.counters('upgraded').uploads)).toEqual({ 'redis-operator.v3.18.2': 1 });
    expect(env.counters('upgraded').approvals).toBe(1);
  });

  it('refuses a port already taken with one line and exit 2', async () => {
    // Prepare
    const running = await serve(join(env.dir, 'serve-port'));
    const port = new URL(running.url).port;

    // Act
    const refused = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        NODE,
        [MAIN, 'serve', '--port', port, '--data-dir', join(env.dir, 'serve-port-2')],
        { env: childEnv() },
        (error, stdout, stderr) => {
          resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
        },
      );
    });

    // Assess
    expect(refused.code).toBe(2);
    expect(refused.stderr.trimEnd().split('\n')).toEqual([
      `error: cannot listen on 127.0.0.1:${port}: EADDRINUSE`,
    ]);
  });
});
