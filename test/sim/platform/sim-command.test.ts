import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readControlFile, SimControlClient } from '#sim/control/control-client.ts';
import { freePort, probe } from './by-hand.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const NODE = resolve(ROOT, 'node_modules/.bin/node');

interface Run {
  child: ChildProcess;
  stdout: string[];
  stderr: string;
  exited: Promise<number | null>;
  nextLine(): Promise<string>;
}

function run(entry: string, args: string[]): Run {
  const child = spawn(NODE, [entry, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const result: Run = {
    child,
    stdout: [],
    stderr: '',
    exited: new Promise((done) => child.once('exit', (code) => done(code))),
    nextLine: () =>
      new Promise((done, fail) => {
        const seen = result.stdout.length;
        const check = () => {
          if (result.stdout.length > seen) {
            child.stdout?.off('data', check);
            done(result.stdout[seen] as string);
          }
        };
        child.stdout?.on('data', check);
        child.once('exit', () => fail(new Error(`exited before printing; stderr: ${result.stderr}`)));
      }),
  };
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    result.stdout.push(...lines);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    result.stderr += chunk.toString();
  });
  return result;
}

describe('redis-upgrader sim', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(resolve(tmpdir(), 'sim-command-'));
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  it('starts the fleet, writes the kubeconfig and the control file, prints the fleet as JSON and exits 0 on SIGINT', async () => {
    // Prepare
    const kubeconfig = resolve(tmp, 'kc.yaml');
    const controlPort = await freePort();
    const sim = run('cli/main.ts', [
      'sim',
      '--clusters',
      '3',
      '--seed',
      '4',
      '--json',
      '--kubeconfig-out',
      kubeconfig,
      '--control-port',
      String(controlPort),
    ]);

    // Act: what a chaos run in another process does: read the control file, take the platform
    // down, read the ledger
    const fleet = JSON.parse(await sim.nextLine()) as {
      kubeconfig: string;
      certificateAuthorityFile: string;
      downloadBaseUrl: string;
      platforms: { url: string; token: string; clusters: string[] }[];
      control: { url: string; token: string; file: string };
    };
    const [platform] = fleet.platforms as [{ url: string; token: string; clusters: string[] }];
    const ca = await readFile(fleet.certificateAuthorityFile, 'utf8');
    const listed = await probe(`${platform.url}/auth/v1/clusters`, platform.token, { ca });
    const untrusted = await probe(`${platform.url}/auth/v1/clusters`, platform.token);
    const written = parse(await readFile(kubeconfig, 'utf8')) as {
      contexts: { name: string }[];
      clusters: { cluster: Record<string, string> }[];
    };
    const controlFile = resolve(tmp, 'sim-control.json');
    const controlFileMode = (await stat(controlFile)).mode & 0o777;
    const control = new SimControlClient(await readControlFile(controlFile));
    const outage = await control.outage({ platform: 'acp', seconds: 0.3, mode: 'refuse' });
    const refused = await probe(`${platform.url}/auth/v1/clusters`, platform.token, { ca });
    const ledger = await control.ledger();
    sim.child.kill('SIGINT');

    // Assess
    expect(await sim.exited).toBe(0);
    expect(fleet.kubeconfig).toBe(kubeconfig);
    expect(platform.clusters).toEqual(['cluster-01', 'cluster-02', 'cluster-03']);
    expect(platform.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(fleet.certificateAuthorityFile).toBe(resolve(tmp, 'sim-ca.crt'));
    expect(listed).toBe(200);
    expect(untrusted).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(written.clusters.map((c) => c.cluster['certificate-authority-data'])).toEqual(
      Array(3).fill(Buffer.from(ca).toString('base64')),
    );
    expect(written.contexts.map((c) => c.name)).toEqual(['cluster-01', 'cluster-02', 'cluster-03']);
    expect(fleet.downloadBaseUrl).toBe(`${platform.url}/downloads`);
    expect(fleet.control).toEqual({
      url: `http://127.0.0.1:${controlPort}`,
      token: expect.any(String),
      file: controlFile,
    });
    expect(await readControlFile(controlFile).catch((error: Error) => error.message)).toContain('ENOENT');
    expect(controlFileMode.toString(8)).toBe('600');
    expect(outage).toMatchObject({ platform: 'acp', mode: 'refuse', state: 'refuse' });
    expect(refused).toBe('ECONNREFUSED');
    expect(Object.keys(ledger.clusters)).toEqual(['cluster-01', 'cluster-02', 'cluster-03']);
    expect(sim.stderr).toBe('');
  });

  it('describes the fleet in text, serves plain HTTP on --insecure-http, warns about scenario groups it cannot apply, and stops on SIGTERM', async () => {
    // Prepare
    const sim = run('sim/main.ts', [
      '--insecure-http',
      '--scenario',
      'examples/scenarios/demo.yaml',
      '--clusters',
      '4',
      '--kubeconfig-out',
      resolve(tmp, 'demo.yaml'),
    ]);

    // Act
    const first = await sim.nextLine();
    await new Promise((wake) => setTimeout(wake, 100));
    sim.child.kill('SIGTERM');
    const code = await sim.exited;

    // Assess
    expect(code).toBe(0);
    expect(first).toBe('simulated ACP fleet: 4 cluster(s) on 2 platform(s), seed 7, speed 300x');
    const text = sim.stdout.join('\n');
    expect(text).toMatch(
      /platform acp-east: http:\/\/127\.0\.0\.1:\d+ {2}token demo-east-token-0001 {2}3 cluster\(s\)/,
    );
    expect(text).toContain(`kubeconfig: ${resolve(tmp, 'demo.yaml')}`);
    expect(text).toContain('plain HTTP (--insecure-http)');
    expect(text).toMatch(
      new RegExp(
        `control API: http://127\\.0\\.0\\.1:\\d+ .*token in ${resolve(tmp, 'sim-control.json')}\\)`,
      ),
    );
    expect(text).toContain('simulator stopped');
    expect(sim.stderr).toBe('warning: groups[2] names cluster-09, which this run does not have\n');
  });

  it.each([
    [
      ['--clusters', '0'],
      "error: option '--clusters <n>' argument '0' is invalid. expected an integer from 1 to 5000 (see --help)",
    ],
    [['--scenario', 'nowhere.yaml'], 'error: cannot read scenario nowhere.yaml: ENOENT'],
    [
      ['--control-port', '0'],
      "error: option '--control-port <p>' argument '0' is invalid. expected an integer from 1 to 65535 (see --help)",
    ],
  ])('refuses %j with one line on stderr and exit code 2', async (args, message) => {
    const sim = run('cli/main.ts', ['sim', ...args]);
    expect(await sim.exited).toBe(2);
    expect(sim.stderr).toBe(`${message}\n`);
  });

  it('refuses a control port already in use with one line and exit code 2', async () => {
    // Prepare
    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const { port } = taken.address() as { port: number };

    // Act
    const sim = run('cli/main.ts', [
      'sim',
      '--clusters',
      '1',
      '--control-port',
      String(port),
      '--kubeconfig-out',
      resolve(tmp, 'busy.yaml'),
    ]);
    const code = await sim.exited;
    taken.close();

    // Assess
    expect(code).toBe(2);
    expect(sim.stderr).toBe(`error: control API: cannot listen on 127.0.0.1:${port}: EADDRINUSE\n`);
  });
});
