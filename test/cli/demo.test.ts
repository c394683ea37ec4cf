/**
 * `redis-upgrader demo` (what `npm start` runs) as a user runs it, on a three-cluster scenario to
 * stay quick; the shipped demo scenario is checked to hold what the demo promises.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { DEMO_STRATEGY } from '#cli/demo-run.ts';
import { expectedOutcome } from '#cli/demo-summary.ts';
import { loadScenario, resolveScenario } from '#sim/scenario.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const MAIN = join(ROOT, 'cli', 'main.ts');

const SMALL = {
  seed: 5,
  speed: 3000,
  clusters: { count: 3, namePrefix: 'demo-' },
  defaults: {
    installedVersion: '3.16.2',
    platformVersion: '3.18.0',
    instances: [{ kind: 'Redis' }],
    backupAge: '1h',
    syncDelay: '15m',
    installTime: '2m',
  },
  groups: [
    { match: { names: ['demo-02'] }, set: { unhealthyInstances: 1 } },
    { match: { names: ['demo-03'] }, set: { backupAge: '3d' } },
  ],
};

let dir: string;
let scenario: string;

interface Run {
  child: ChildProcess;
  stdout: () => string;
  exited: Promise<number | null>;
  stderr: () => string;
}

function demo(args: string[]): Run {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('REDIS_UPGRADER_')),
  );
  const child = spawn(NODE, [MAIN, 'demo', ...args], {
    cwd: ROOT,
    env: clean,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

const dataDirOf = (out: string) => /data in (\S+)\/data \(temporary\)/.exec(out)?.[1] as string;
const gone = async (path: string) => (await stat(path).catch(() => undefined)) === undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'demo-test-'));
  scenario = join(dir, 'small.yaml');
  await writeFile(scenario, stringify(SMALL));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('redis-upgrader demo', () => {
  it('rolls out canary first, then the waves; blocks the bad clusters, prints a summary per wave, exits 0', async () => {
    // Act
    const run = demo(['--scenario', scenario]);
    const code = await run.exited;

    // Assess
    const out = run.stdout();
    expect(run.stderr()).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/started rollout \S+ to 4\.1\.2 in 3 waves/);
    expect(out).toMatch(/^\[\s*\d+\.\ds\] demo-01 starting$/m);
    // the canary's job ended before any job of the next wave started
    const secondWave = out.search(/demo-0[23] (starting|started|blocked)/);
    expect(secondWave).toBeGreaterThan(out.indexOf('demo-01 succeeded'));
    expect(out).toMatch(/^canary\s+1\s+1 succeeded\s+\d+\.\ds$/m);
    expect(out).toMatch(/^wave 2\s+1\s+1 blocked\s+\d+\.\ds$/m);
    expect(out).toMatch(
      /^demo-01\s+3\.16\.2\s+4\.1\.2\s+3\.16\.2>4\.0\.3>4\.1\.2\s+succeeded\s+\d+\.\ds\s*$/m,
    );
    expect(out).toMatch(
      /^demo-02\s+3\.16\.2\s+4\.1\.2\s+\S+\s+blocked\s+\d+\.\ds\s+prerequisites not met.*redis-1 is Error$/m,
    );
    expect(out).toMatch(
      /^demo-03\s+3\.16\.2\s+4\.1\.2\s+\S+\s+blocked\s+\d+\.\ds\s+backups are not recent enough/m,
    );
    expect(out).toMatch(
      /^3 clusters in \d+\.\ds: 1 succeeded, 2 blocked; every cluster ended as its scenario predicts$/m,
    );
    expect(await gone(dataDirOf(out))).toBe(true);
  });

  it('stops everything and removes its temporary files on Ctrl-C', async () => {
    // Prepare
    const run = demo(['--scenario', scenario, '--speed', '100']);
    await expect.poll(run.stdout, { timeout: 20_000, interval: 50 }).toMatch(/started rollout/);

    // Act
    run.child.kill('SIGINT');
    const code = await run.exited;

    // Assess
    expect(code).toBe(1);
    expect(run.stderr().trimEnd().split('\n')).toEqual([
      'error: demo interrupted: stopped the runtime and the simulated fleet, removed the temporary files',
    ]);
    expect(await gone(dataDirOf(run.stdout()))).toBe(true);
  });

  it('ships a demo scenario of two dozen clusters: two to block, one failing install the budget absorbs', async () => {
    // Act
    const resolved = resolveScenario(await loadScenario(join(ROOT, 'examples/scenarios/rollout-demo.yaml')));
    const gates = { backupMaxAgeSeconds: 24 * 3600, takeBackup: false, minFreePercent: 10 };
    const clusters = resolved.platforms.flatMap((platform) => platform.clusters);
    const outcomes = clusters.map((cluster) => expectedOutcome(cluster.spec, gates));

    // Assess: the canary (the first cluster) must succeed, or the demo would halt after it
    expect(outcomes).toHaveLength(24);
    expect(outcomes.filter((o) => o.state === 'succeeded')).toHaveLength(21);
    expect(
      outcomes
        .filter((o) => o.state !== 'succeeded')
        .map((o) => o.because)
        .sort(),
    ).toEqual(['failing install', 'stale backups', 'unhealthy Redis instance']);
    expect(DEMO_STRATEGY.failureBudget.maxFailed).toBe(outcomes.filter((o) => o.state === 'failed').length);
    const first = clusters.map((c) => c.name).sort()[0];
    expect(outcomes[clusters.findIndex((c) => c.name === first)]?.state).toBe('succeeded');
  });
});
