/** `redis-upgrader plan` as users run it: the real binary in a child process. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'cli', 'main.ts');
/** Where npm puts the project's Node 24 (the `node` devDependency), as `npx` and `npm run` do. */
const PATH = `${join(ROOT, 'node_modules', '.bin')}${delimiter}${process.env.PATH}`;
const elsewhere = mkdtempSync(join(tmpdir(), 'cli-plan-'));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(
  file: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      {
        cwd: options.cwd ?? elsewhere,
        env: { ...process.env, PATH, REDIS_UPGRADER_CATALOG: '', ...options.env },
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The bin file itself, through its shebang, from another directory: no npm wrapper needed. */
const plan = (args: string[], options?: { cwd?: string; env?: Record<string, string> }) =>
  run(MAIN, ['plan', ...args], options);

function expectOneLineError(result: Run, code: number, fragment: string): void {
  expect(result.code).toBe(code);
  expect(result.stdout).toBe('');
  expect(result.stderr).toContain(fragment);
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
}

describe.concurrent('redis-upgrader plan', () => {
  it('npx redis-upgrader plan --json prints a multi-hop plan over the example catalog', async () => {
    // Act
    const result = await run(
      'npx',
      ['--no-install', 'redis-upgrader', 'plan', '--from', '3.16.2', '--to', '5.1.0', '--json'],
      {
        cwd: ROOT,
      },
    );

    // Assess
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(Object.keys(plan)).toEqual(['from', 'to', 'platform', 'platformChecked', 'hops']);
    expect(plan).toMatchObject({ from: '3.16.2', to: '5.1.0', platform: null });
    expect(plan.hops.length).toBeGreaterThan(1);
    plan.hops.forEach((hop: Record<string, string>, index: number) => {
      expect(Object.keys(hop)).toEqual(['from', 'to', 'kind', 'csv', 'channel']);
      expect(hop.from).toBe(index === 0 ? '3.16.2' : plan.hops[index - 1].to);
      expect(hop.csv).toBe(`redis-operator.v${hop.to}`);
    });
    expect(plan.hops.at(-1).to).toBe('5.1.0');
  });

  it('prints a table of hops, finding the example catalog from any directory', async () => {
    // Act
    const result = await plan(['--from', '4.0.2', '--to', '4.2.1']);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Upgrade 4\.0\.2 -> 4\.2\.1: 1 hop \(catalog .*examples\/catalog\.json\)/);
    expect(result.stdout).toContain('#  FROM   TO     KIND   CSV                    CHANNEL\n');
    expect(result.stdout).toContain('1  4.0.2  4.2.1  minor  redis-operator.v4.2.1  stable\n');
  });

  it('says when the platform ranges were not checked, in text and JSON, and not when they were', async () => {
    // Act
    const [unchecked, uncheckedJson, checked, checkedJson] = await Promise.all([
      plan(['--from', '3.16.2', '--to', '5.1.0']),
      plan(['--from', '3.16.2', '--to', '5.1.0', '--json']),
      plan(['--from', '3.16.2', '--to', '5.1.0', '--platform', '4.2.0']),
      plan(['--from', '3.16.2', '--to', '5.1.0', '--platform', '4.2.0', '--json']),
    ]);

    // Assess
    expect(unchecked.stdout.trimEnd().split('\n').at(-1)).toBe(
      "Note: no --platform given, so the ACP platform ranges were not checked; on the cluster's platform the path may differ or not exist.",
    );
    expect(JSON.parse(uncheckedJson.stdout)).toMatchObject({ platform: null, platformChecked: false });
    expect(checked.stdout).not.toContain('--platform');
    expect(JSON.parse(checkedJson.stdout)).toMatchObject({ platform: '4.2.0', platformChecked: true });
    // The ranges matter: on ACP 4.2.0 the path takes other hops than without a platform.
    const hops = (run: { stdout: string }) =>
      JSON.parse(run.stdout).hops.map((hop: { to: string }) => hop.to);
    expect(hops(checkedJson)).not.toEqual(hops(uncheckedJson));
  });

  it('reads the catalog named by REDIS_UPGRADER_CATALOG (YAML)', async () => {
    // Prepare
    const path = join(elsewhere, 'env-catalog.yaml');
    const artifact = `{ url: "https://x.invalid/p.tgz", sha256: "${'0'.repeat(64)}" }`;
    writeFileSync(
      path,
      ['package: redis-operator', 'majorUpgrade: any', 'versions:']
        .concat(
          ['7.0.0', '8.3.0'].map(
            (v) => `  - { version: ${v}, csv: op.v${v}, channel: c, artifact: ${artifact} }`,
          ),
        )
        .join('\n'),
    );

    // Act
    const result = await plan(['--from', '7.0.0', '--to', '8.3.0', '--json'], {
      env: { REDIS_UPGRADER_CATALOG: path },
    });

    // Assess
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).hops).toEqual([
      { from: '7.0.0', to: '8.3.0', kind: 'major', csv: 'op.v8.3.0', channel: 'c' },
    ]);
  });

  it('exits 3 with a JSON error when no supported path exists', async () => {
    // Act
    const result = await plan(['--from', '3.16.2', '--to', '5.1.0', '--platform', '4.1.0', '--json']);

    // Assess
    expect(result.code).toBe(3);
    expect(result.stderr).toBe('');
    const { error } = JSON.parse(result.stdout);
    expect(error.code).toBe('PLATFORM_UNSUPPORTED');
    expect(error.message).toContain('needs ACP >=4.2.0 <4.5.0');
  });

  it('exits 2 with a JSON error for a version the catalog does not list', async () => {
    // Act
    const result = await plan(['--from', '4.0.2', '--to', '4.9.9', '--json']);

    // Assess
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      error: { code: 'UNKNOWN_VERSION', message: expect.stringContaining('4.9.9') },
    });
  });

  it('exits 2 on an unknown flag, one line, no stack trace', async () => {
    // Act
    const result = await plan(['--from', '4.0.2', '--to', '4.2.1', '--form']);

    // Assess
    expectOneLineError(result, 2, "error: unknown option '--form'");
  });

  it('exits 2 on a flag without its value', async () => {
    // Act
    const result = await plan(['--to', '4.2.1', '--from']);

    // Assess
    expectOneLineError(result, 2, "error: option '--from <version>' argument missing");
  });

  it('exits 2 on a malformed catalog, naming entry and field', async () => {
    // Prepare
    const path = join(elsewhere, 'bad.json');
    writeFileSync(
      path,
      JSON.stringify({
        package: 'redis-operator',
        versions: [
          {
            version: '4.0.3',
            csv: 'x',
            channel: 's',
            platform: 'banana',
            artifact: { url: 'https://x', sha256: '0' },
          },
        ],
      }),
    );

    // Act
    const result = await plan(['--from', '4.0.2', '--to', '4.0.3', '--catalog', path]);

    // Assess
    expectOneLineError(result, 2, 'versions[0].platform: "banana" is not a semver range');
  });
});
