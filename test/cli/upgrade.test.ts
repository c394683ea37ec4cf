/**
 * `redis-upgrader upgrade` and `status` as users run them: the real binary in a child process,
 * talking over HTTP to a local runtime (in this process) that upgrades the simulated fleet.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eFleet, startE2eFleet } from '#test/e2e/support/e2e-fleet.ts';
import { type E2eRuntime, startE2eRuntime } from '#test/e2e/support/e2e-runtime.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const MAIN = join(ROOT, 'cli', 'main.ts');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let env: E2eFleet;
let runtime: E2eRuntime;

function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  const api = { REDIS_UPGRADER_URL: runtime.url, REDIS_UPGRADER_CLIENT_TOKEN: runtime.token };
  return new Promise((resolve) => {
    execFile(
      NODE,
      [MAIN, ...args],
      { env: { ...process.env, ...api, ...extraEnv } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  env = await startE2eFleet({
    // ~1 s of catalog sync, so a 0.1 s poll sees the hop in progress.
    healthy: { syncDelay: '6h' },
    unhealthy: { unhealthyInstances: 1 },
  });
  runtime = await startE2eRuntime(env);
  for (const cluster of env.fleet.clusterNames()) await runtime.register(cluster);
});

afterAll(async () => {
  await runtime?.stop();
  await env?.stop();
});

describe('redis-upgrader upgrade / status against a running runtime', () => {
  it('upgrade --wait follows the job hop by hop and exits 0 when it succeeds', async () => {
    // Act
    const run = await cli([
      'upgrade',
      '--cluster',
      env.name('healthy'),
      '--to',
      '3.18.2',
      '--wait',
      '--interval',
      '0.1',
    ]);

    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^Upgrade \\S+ of cluster ${env.name('healthy')} to 3\\.18\\.2$`));
    expect(lines).toContainEqual(
      expect.stringMatching(/^\[\s*\d+\.\ds\] patching\s+hop 1\/1 3\.16\.2>3\.18\.2$/),
    );
    expect(lines.at(-2)).toMatch(/\] succeeded\s+- cluster runs 3\.18\.2/);
    expect(lines.at(-1)).toMatch(
      new RegExp(`^succeeded: cluster ${env.name('healthy')} 3\\.16\\.2>3\\.18\\.2 in \\d+\\.\\ds$`),
    );
    expect(env.subscription('healthy').status).toMatchObject({ installedCSV: 'redis-operator.v3.18.2' });
  });

  it('upgrade --wait --json exits 4 with the job when a prerequisite blocks it; status shows why', async () => {
    // Act
    const run = await cli([
      'upgrade',
      '--cluster',
      env.name('unhealthy'),
      '--to',
      '3.18.2',
      '--wait',
      '--interval',
      '0.1',
      '--json',
    ]);
    const job = JSON.parse(run.stdout) as { id: string; state: string; reason: string };
    const status = await cli(['status', job.id]);

    // Assess
    expect(run.code).toBe(4);
    expect(job.state).toBe('blocked');
    expect(job.reason).toMatch(/Redis redis-apps\/redis-1 is Error/);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^State\s+blocked$/m);
    expect(status.stdout).toMatch(/^Reason\s+prerequisites not met.*redis-1 is Error$/m);
    expect(status.stdout).toMatch(/validating\s+blocked\s+1\s+prerequisites not met/);
  });

  it('refuses an unknown cluster with one line on stderr and exit 2', async () => {
    // Act
    const run = await cli(['upgrade', '--cluster', 'nowhere', '--to', '3.18.2']);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      'error: cluster nowhere is not registered: add it with PUT /clusters/nowhere',
    ]);
  });

  it('says how to reach the API when it is not there, without a stack trace', async () => {
    // Prepare: a port nobody listens on
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as { port: number };
    await new Promise((closed) => probe.close(closed));

    // Act
    const run = await cli(['status', 'some-job'], { REDIS_UPGRADER_URL: `http://127.0.0.1:${port}` });

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      `error: cannot reach the redis-upgrader API at http://127.0.0.1:${port} (ECONNREFUSED): start it with \`redis-upgrader serve\`, or point --api / $REDIS_UPGRADER_URL at it`,
    ]);
  });
});
