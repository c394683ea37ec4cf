/**
 * The commands that cover the API (`clusters`, `list`, `cancel`, and `upgrade`'s job options) as
 * users run them: the real binary against the real API handler and HTTP server over in-memory
 * stores, so every request the CLI sends is validated by the server it will meet.
 */
import { describe, expect, it } from 'vitest';
import { type ApiUnderTest, startApi, TOKEN } from '#test/api/support/api-server.ts';
import { expectOneLine, runCli } from './support/run-cli.ts';

function cliOf(api: ApiUnderTest) {
  return (args: string[]) =>
    runCli(args, { REDIS_UPGRADER_URL: api.url, REDIS_UPGRADER_CLIENT_TOKEN: TOKEN });
}

type Refusal = [args: string[], code: number, pattern: RegExp];

/** Runs every case at once (processes in parallel): each exits `code` with one line matching `pattern`. */
async function expectRefusals(api: ApiUnderTest, refusals: Refusal[]): Promise<void> {
  const runs = await Promise.all(refusals.map(([args]) => cliOf(api)(args)));
  runs.forEach((run, index) => {
    const [args, code, pattern] = refusals[index] as Refusal;
    expectOneLine(run, code, pattern, args.join(' '));
  });
}

async function startJob(api: ApiUnderTest, cluster: string): Promise<string> {
  const response = await api.call('POST', '/upgrades', { body: { cluster, targetVersion: '4.2.1' } });
  return ((await response.json()) as { id: string }).id;
}

describe('clusters', () => {
  it('register creates, then replaces, the whole record; list and show read it back', async () => {
    // Prepare
    const api = await startApi();
    const cli = cliOf(api);
    const register = ['clusters', 'register', 'edge-7', '--label', 'env=dev', '--label', 'tier=gold'];

    // Act
    const created = await cli([...register, '--context', 'ctx-7', '--platform-version', '4.1.0']);
    const replaced = await cli(register);
    const [list, table, shown] = await Promise.all([
      cli(['clusters', 'list', '--json']),
      cli(['clusters', 'list']),
      cli(['clusters', 'show', 'region1']),
    ]);

    // Assess
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(
      /^Registered cluster edge-7\.\nCluster\s+edge-7\nContext\s+ctx-7\nPlatform\s+ACP 4\.1\.0\n/,
    );
    expect(replaced.stdout).toMatch(/^Replaced the record of cluster edge-7\./);
    expect(await api.clusters.get('edge-7')).toEqual({
      name: 'edge-7',
      labels: { env: 'dev', tier: 'gold' },
    });
    expect(JSON.parse(list.stdout).items.map((c: { name: string }) => c.name)).toEqual([
      'edge-7',
      'region1',
      'region2',
    ]);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+CONTEXT\s+PLATFORM\s+LABELS$/);
    expect(table.stdout).toMatch(/^region1\s+region1\s+3\.18\.2\s+env=prod$/m);
    expect(shown.stdout).toMatch(
      /^Cluster\s+region1\nContext\s+region1\nPlatform\s+ACP 3\.18\.2\nLabels\s+env=prod\n$/,
    );
    for (const run of [created, replaced, list, table, shown]) expect(run.stderr).toBe('');
  });

  it('refuses an unknown cluster, a bad name, bad labels and a bad platform version with one line each, registering nothing', async () => {
    // Prepare
    const api = await startApi();

    // Act and Assess
    await expectRefusals(api, [
      [
        ['clusters', 'show', 'nope'],
        2,
        /^error: cluster nope is not registered: add it with PUT \/clusters\/nope$/,
      ],
      [['clusters', 'register', 'Edge_7'], 2, /^error: path\.name: must be a lower-case DNS name/],
      [
        ['clusters', 'register', 'edge-7', '--label', 'env'],
        2,
        /^error: option '--label <key=value>' argument 'env' is invalid\. expected key=value/,
      ],
      [
        ['clusters', 'register', 'edge-7', '--label', 'env=no way'],
        2,
        /^error: body\.labels\.env: must be a Kubernetes label value/,
      ],
      [
        ['clusters', 'register', 'edge-7', '--platform-version', 'banana'],
        2,
        /^error: body\.platformVersion: "banana" is not a semantic version \(expected e\.g\. 4\.1\.0\)/,
      ],
    ]);
    expect((await api.clusters.list()).map((c) => c.name)).toEqual(['region1', 'region2']);
  });
});

describe('list', () => {
  it('lists jobs, filtered by cluster and state, as a table or JSON', async () => {
    // Prepare
    const api = await startApi();
    const cli = cliOf(api);
    const first = await startJob(api, 'region1');
    const second = await startJob(api, 'region2');
    await api.call('POST', `/upgrades/${first}/cancel`);

    // Act
    const [all, region2, cancelled, none] = await Promise.all([
      cli(['list']),
      cli(['list', '--cluster', 'region2', '--json']),
      cli(['list', '--state', 'cancelled', '--limit', '5', '--json']),
      cli(['list', '--state', 'failed']),
    ]);

    // Assess
    expect(all.stdout.split('\n')[0]).toMatch(/^ID\s+CLUSTER\s+STATE\s+PATH\s+CREATED\s+REASON$/);
    expect(all.stdout).toMatch(
      new RegExp(`^${first}\\s+region1\\s+cancelled\\s+\\?>4\\.2\\.1\\s+\\S+\\s+cancelled on request`, 'm'),
    );
    expect(all.stdout).toMatch(new RegExp(`^${second}\\s+region2\\s+queued\\s`, 'm'));
    expect(JSON.parse(region2.stdout).items.map((job: { id: string }) => job.id)).toEqual([second]);
    expect(JSON.parse(cancelled.stdout).items.map((job: { id: string }) => job.id)).toEqual([first]);
    expect(none.stdout).toBe('No upgrade jobs match.\n');
  });

  it('refuses an unknown state, a limit out of range and a bad cluster name with one line each', async () => {
    // Prepare
    const api = await startApi();

    // Act and Assess
    await expectRefusals(api, [
      [
        ['list', '--state', 'done'],
        2,
        /^error: option '--state <state>' argument 'done' is invalid\. Allowed choices are queued, /,
      ],
      [
        ['list', '--limit', '0'],
        2,
        /^error: option '--limit <n>' argument '0' is invalid\. Too small: expected number to be >=1/,
      ],
      [['list', '--cluster', 'Region 1'], 2, /^error: query\.cluster: must be a lower-case DNS name/],
    ]);
  });
});

describe('cancel', () => {
  it('cancels a queued job with the note in its reason; a second cancel is exit 1 (it has ended)', async () => {
    // Prepare
    const api = await startApi();
    const cli = cliOf(api);
    const id = await startJob(api, 'region1');

    // Act
    const run = await cli(['cancel', id, '--note', 'change freeze']);
    const again = await cli(['cancel', id, '--json']);

    // Assess
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(
      new RegExp(`^Upgrade ${id} of cluster region1 cancelled: cancelled on request \\(change freeze\\)`),
    );
    expect(await api.jobs.get(id)).toMatchObject({ state: 'cancelled' });
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toEqual({
      error: { code: 'JOB_FINISHED', message: expect.stringContaining('already cancelled') },
    });
  });

  it('an unknown job is exit 2 with one line', async () => {
    // Prepare
    const api = await startApi();

    // Act
    const run = await cliOf(api)(['cancel', 'no-such-job']);

    // Assess
    expectOneLine(run, 2, /^error: upgrade job no-such-job not found$/);
  });
});

describe('upgrade with job options', () => {
  it('sends every option, and warns on stderr that the backup gate is overridden', async () => {
    // Prepare
    const api = await startApi();
    const args = ['upgrade', '--cluster', 'region1', '--to', '4.2.1', '--json'];
    const options = ['--skip-backup-check', '--include-prerelease', '--max-backup-age', '12h'];

    // Act
    const run = await cliOf(api)([...args, ...options, '--callback-url', 'https://hooks.example.com/up']);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      'warning: --skip-backup-check: backups will not be checked before this upgrade; the override is recorded in the job\n',
    );
    const job = JSON.parse(run.stdout) as { id: string };
    expect(await api.jobs.get(job.id)).toMatchObject({
      options: { skipBackupCheck: true, includePrerelease: true, maxBackupAgeSeconds: 43_200 },
      callbackUrl: 'https://hooks.example.com/up',
    });
  });

  it('refuses contradicting flags, bad durations and a loopback callback with one line each, starting nothing', async () => {
    // Prepare
    const api = await startApi();
    const upgrade = (flags: string[]) => ['upgrade', '--cluster', 'region1', '--to', '4.2.1', ...flags];
    const refusals: [string[], RegExp][] = [
      [
        ['--take-backup', '--skip-backup-check'],
        /^error: option '--skip-backup-check' cannot be used with option '--take-backup'/,
      ],
      [
        ['--max-backup-age', '3600'],
        /^error: option '--max-backup-age <duration>' argument '3600' is invalid\. expected a duration/,
      ],
      [
        ['--callback-url', 'http://127.0.0.1/hook'],
        /^error: callbackUrl refused: 127\.0\.0\.1 is a loopback address/,
      ],
    ];

    // Act and Assess
    await expectRefusals(
      api,
      refusals.map(([flags, pattern]) => [upgrade(flags), 2, pattern]),
    );
    expect(await api.jobs.list({})).toEqual([]);
  });
});

describe('client settings', () => {
  it.each([
    [
      'REDIS_UPGRADER_API and REDIS_UPGRADER_TOKEN',
      { REDIS_UPGRADER_TOKEN: TOKEN },
      '$REDIS_UPGRADER_API and $REDIS_UPGRADER_TOKEN are deprecated',
    ],
    [
      "REDIS_UPGRADER_API and the server's REDIS_UPGRADER_API_TOKEN",
      { REDIS_UPGRADER_API_TOKEN: TOKEN },
      '$REDIS_UPGRADER_API and $REDIS_UPGRADER_API_TOKEN are deprecated',
    ],
  ])('still reads %s, with one deprecation line on stderr', async (_name, token, says) => {
    // Prepare
    const api = await startApi();

    // Act
    const run = await runCli(['clusters', 'list', '--json'], { REDIS_UPGRADER_API: api.url, ...token });

    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      `warning: ${says} for the CLI: set $REDIS_UPGRADER_URL (the API URL) and $REDIS_UPGRADER_CLIENT_TOKEN (its token) instead`,
    ]);
    expect(JSON.parse(run.stdout).items).toHaveLength(2);
  });

  it('prefers the current names over the deprecated ones, silently', async () => {
    // Prepare
    const api = await startApi();

    // Act
    const run = await runCli(['clusters', 'list', '--json'], {
      REDIS_UPGRADER_URL: api.url,
      REDIS_UPGRADER_CLIENT_TOKEN: TOKEN,
      REDIS_UPGRADER_API: 'http://127.0.0.1:1',
      REDIS_UPGRADER_TOKEN: 'not-the-token',
    });

    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('names the deprecated variable a malformed token came from', async () => {
    // Act
    const run = await runCli(['clusters', 'list'], { REDIS_UPGRADER_API_TOKEN: 'secret-part"' });

    // Assess
    expect(run.code).toBe(2);
    const [warning, error] = run.stderr.trimEnd().split('\n');
    expect(warning).toMatch(/^warning: \$REDIS_UPGRADER_API_TOKEN is deprecated for the CLI/);
    expect(error).toMatch(/^error: the API token in \$REDIS_UPGRADER_API_TOKEN is not a valid bearer token/);
    expect(run.stderr).not.toContain('secret-part');
  });
});
