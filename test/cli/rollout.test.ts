/**
 * `redis-upgrader rollout` as users run it: the real binary in a child process, talking over
 * HTTP to a local runtime (in this process) that upgrades the simulated fleet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eFleet, startE2eFleet } from '#test/e2e/support/e2e-fleet.ts';
import { type E2eRuntime, startE2eRuntime } from '#test/e2e/support/e2e-runtime.ts';
import { expectOneLine, type Run, runCli } from './support/run-cli.ts';

const ROLES = ['first', 'second', 'third', 'fourth', 'sick', 'sixth'];

let env: E2eFleet;
let runtime: E2eRuntime;

/** The CLI against the test runtime; long enough for a whole rollout under --wait. */
function cli(args: string[]): Promise<Run> {
  const api = { REDIS_UPGRADER_URL: runtime.url, REDIS_UPGRADER_CLIENT_TOKEN: runtime.token };
  return runCli(args, api, { timeoutMs: 90_000 });
}

const names = () => ROLES.map((role) => env.name(role));
/** The rollout the first tests rehearse and then run: every cluster, a canary, waves of half. */
const rolloutOfAll = () => [
  'rollout',
  '--to',
  '4.1.2',
  '--clusters',
  names().join(','),
  '--canary',
  '1',
  '--wave-size',
  '50%',
];
const approvals = () => ROLES.reduce((sum, role) => sum + env.counters(role).approvals, 0);

beforeAll(async () => {
  env = await startE2eFleet(
    Object.fromEntries(ROLES.map((role) => [role, role === 'sick' ? { unhealthyInstances: 1 } : {}])),
  );
  runtime = await startE2eRuntime(env);
  for (const name of names()) await runtime.register(name);
  // The third cluster is the canary: labelled clusters go first.
  const labelled = await cli([
    'clusters',
    'register',
    env.name('third'),
    '--context',
    env.name('third'),
    '--label',
    'redis-upgrader/canary=true',
  ]);
  expect(labelled.code, labelled.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await runtime?.stop();
  await env?.stop();
});

describe('rollout', () => {
  it('rehearses with --dry-run: waves, paths, the blocked cluster and why, and changes nothing', async () => {
    // Act
    const run = await cli([...rolloutOfAll(), '--dry-run']);
    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Rehearsal of a rollout to 4\.1\.2: 6 clusters in 3 waves, 1 would block/);
    expect(run.stdout).toMatch(
      new RegExp(`canary\\s+${env.name('third')}\\s+3\\.16\\.2\\s+3\\.16\\.2>4\\.0\\.3>4\\.1\\.2`),
    );
    expect(run.stdout).toMatch(
      new RegExp(
        `would block:\\n  ${env.name('sick')}: prerequisites not met, nothing was changed: Redis \\S+ is Error`,
        's',
      ),
    );
    expect(approvals()).toBe(0);
    expect(ROLES.every((role) => env.counters(role).uploads.size === 0)).toBe(true);
  });

  it('refuses a bad flag with one line and exit 2, sending nothing', async () => {
    // Act
    const run = await cli(['rollout', '--to', '4.1.2', '--selector', 'env in (dev', '--json']);
    // Assess
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'USAGE' } });
    expect((await cli(['rollout', 'list', '--json'])).stdout.trim()).toBe('[]');
  });

  it('runs the rollout with --wait, canary first, and exits 4 when the only miss is a blocked cluster', async () => {
    // Act
    const run = await cli([
      ...rolloutOfAll(),
      '--max-concurrency',
      '2',
      '--bake',
      '1s',
      '--name',
      'cli-wait',
      '--wait',
      '--interval',
      '0.2',
    ]);
    // Assess: off a TTY, one line per change; the canary's job started before any other
    expect(run.code, run.stderr).toBe(4);
    const starts = [...run.stdout.matchAll(/\] (e2e-\d+) starting/g)].map((m) => m[1]);
    expect(starts[0]).toBe(env.name('third'));
    expect(run.stdout).toMatch(new RegExp(`${env.name('sick')} blocked - prerequisites not met`));
    expect(run.stdout.trim().split('\n').at(-1)).toMatch(/^completed-with-failures: /);
    const id = /^Rollout (\S+) to 4\.1\.2$/m.exec(run.stdout)?.[1] ?? '';
    const [status, list] = await Promise.all([
      cli(['rollout', 'status', id, '--events']),
      cli(['rollout', 'list']),
    ]);
    expect(status.stdout).toMatch(
      /^rollout cli-wait to 4\.1\.2: completed-with-failures \| 5 succeeded, 1 blocked/,
    );
    expect(status.stdout).toMatch(/^canary\s+completed\s+#$/m);
    expect(status.stdout).toMatch(/^\S+\s+wave\.started\s+/m);
    expect(list.stdout).toMatch(
      new RegExp(`^${id}\\s+cli-wait\\s+4\\.1\\.2\\s+completed-with-failures`, 'm'),
    );
  }, 60_000);

  it('says what a command does to running jobs, and refuses one that cannot apply with a 409 line', async () => {
    // Prepare
    const batches = JSON.parse((await cli(['rollout', 'list', '--json'])).stdout) as { id: string }[];
    const id = batches[0]?.id ?? '';
    // Act
    const run = await cli(['rollout', 'pause', id]);
    // Assess: a finished batch cannot be paused
    expectOneLine(run, 1, /^error: .*(finished|over|completed)/i, 'rollout pause of a finished batch');
  });
});

describe('rollout approvals', () => {
  it('holds the waves after the canary until `rollout approve`, then `status --wait` follows it to the end', async () => {
    // Prepare: a rollout of three clusters (already there after the first rollout, or not when run alone), approval after the canary
    const three = ['first', 'second', 'third'].map((role) => env.name(role));
    const started = await cli([
      'rollout',
      '--to',
      '4.1.2',
      '--clusters',
      three.join(','),
      '--canary',
      '1',
      '--approval',
      'after-canary',
      '--json',
    ]);
    expect(started.code, started.stderr).toBe(0);
    const id = (JSON.parse(started.stdout) as { id: string }).id;
    let held = { state: '', reason: '', counts: {} };
    for (let polls = 0; held.state !== 'awaiting-approval' && polls < 300; polls += 1) {
      held = (await runtime.request('GET', `/batches/${id}`)).body as typeof held;
      await new Promise((wake) => setTimeout(wake, 50));
    }
    // Act
    const approved = await cli(['rollout', 'approve', id, '--note', 'canary looks fine']);
    const followed = await cli(['rollout', 'status', id, '--wait', '--interval', '0.2']);
    // Assess
    expect(held.state, held.reason).toBe('awaiting-approval');
    expect(held.counts).toMatchObject({ succeeded: 1, pending: 2 });
    expect(approved.stdout).toMatch(/^approve: the approved wave may start\.\n/);
    expect(followed.code, followed.stderr).toBe(0);
    expect(followed.stdout.trim().split('\n').at(-1)).toMatch(/^succeeded: /);
    const events = await cli(['rollout', 'status', id, '--events']);
    expect(events.stdout).toMatch(/wave\.awaiting_approval/);
    expect(events.stdout).toMatch(/canary looks fine/);
  }, 60_000);
});
