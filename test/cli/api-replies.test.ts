/**
 * `upgrade` and `status` against an API that answers what it should not: the real binary talking
 * to a fake server. A reply that breaks the contract (shared/http/api-replies.ts) is exit 1 with
 * one line that says what was wrong, never a TypeError or "undefined" in the output. And a token
 * that could not be a bearer token is refused before any request, without being echoed.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newJob } from '#domain/job-transitions.ts';
import { jobView } from '#shared/http/job-view.ts';
import { expectOneLine, type Run, runCli } from './support/run-cli.ts';

const TOKEN = 'fake-api-token-0123456789';

interface Reply {
  status: number;
  body: string;
}

/** What the fake API answers, by `METHOD /path`; anything else is a well-formed 404. */
let replies: Record<string, Reply> = {};
let requests: string[] = [];
let server: Server;
let api: string;

const json = (status: number, body: unknown): Reply => ({ status, body: JSON.stringify(body) });
/** A job exactly as the real server shows it. */
const queuedJob = jobView(
  newJob({ id: 'job-1', cluster: 'region1', targetVersion: '4.2.1', at: new Date('2026-03-01T12:00:00Z') }),
);

beforeAll(async () => {
  server = createServer((request, response) => {
    const key = `${request.method} ${request.url}`;
    requests.push(key);
    const reply = replies[key] ?? json(404, { error: { code: 'NOT_FOUND', message: `${key} not found` } });
    response.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((closed) => server.close(closed)));

beforeEach(() => {
  replies = {};
  requests = [];
});

const cli = (args: string[], env: Record<string, string> = { REDIS_UPGRADER_CLIENT_TOKEN: TOKEN }) =>
  runCli(args, { REDIS_UPGRADER_URL: api, ...env });

const upgrade = ['upgrade', '--cluster', 'region1', '--to', '4.2.1'];
const wait = [...upgrade, '--wait', '--interval', '0.05'];

describe('replies that break the API contract', () => {
  it('accepts the reply the real server gives (the control case)', async () => {
    // Prepare
    replies['POST /upgrades'] = json(202, queuedJob);

    // Act
    const run = await cli(upgrade);

    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Upgrade job-1 of cluster region1 to 4\.2\.1 started \(queued\)\./);
  });

  it('upgrade: a 202 of {"id":1} is exit 1 naming the fields, not "cluster undefined to undefined"', async () => {
    // Prepare
    replies['POST /upgrades'] = json(202, { id: 1 });

    // Act
    const run = await cli(upgrade);

    // Assess
    expect(run.stdout).toBe('');
    expectOneLine(
      run,
      1,
      new RegExp(
        `^error: the API at ${api} answered POST /upgrades with a reply that is not an upgrade job: id: .*expected string, received number; cluster: .*\\(and \\d+ more\\)`,
      ),
    );
  });

  it('upgrade --json: the same refusal as the JSON error on stdout', async () => {
    // Prepare
    replies['POST /upgrades'] = json(202, { id: 1 });

    // Act
    const run = await cli([...upgrade, '--json']);

    // Assess
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({
      error: { code: 'API_REPLY_INVALID', message: expect.stringContaining('is not an upgrade job: id:') },
    });
  });

  it('upgrade: a body that is not JSON is exit 1 with one line', async () => {
    // Prepare
    replies['POST /upgrades'] = { status: 202, body: '<html>accepted</html>' };

    // Act
    const run = await cli(upgrade);

    // Assess
    expectOneLine(run, 1, new RegExp(`^error: the API at ${api} answered POST /upgrades without JSON`));
  });

  it('upgrade --wait: a status reply with wrong types is exit 1 naming them, not a TypeError', async () => {
    // Prepare
    replies['POST /upgrades'] = json(202, queuedJob);
    replies['GET /upgrades/job-1'] = json(200, { ...queuedJob, state: 42, transitions: 'none' });

    // Act
    const run = await cli(wait);

    // Assess
    expectOneLine(
      run,
      1,
      /^error: the API at .* answered GET \/upgrades\/job-1 with a reply that is not an upgrade job: state: .*; transitions: .*expected array, received string$/,
    );
  });

  it('upgrade --wait: a status reply of {"id":1} is exit 1 with one line', async () => {
    // Prepare
    replies['POST /upgrades'] = json(202, queuedJob);
    replies['GET /upgrades/job-1'] = json(200, { id: 1 });

    // Act
    const run = await cli(wait);

    // Assess
    expectOneLine(run, 1, /answered GET \/upgrades\/job-1 with a reply that is not an upgrade job: id: /);
  });

  it('status: wrong types are exit 1 with one line', async () => {
    // Prepare
    replies['GET /upgrades/job-1'] = json(200, { ...queuedJob, hop: '0', createdAt: 'yesterday' });

    // Act
    const run = await cli(['status', 'job-1']);

    // Assess
    expect(run.stdout).toBe('');
    expectOneLine(
      run,
      1,
      /answered GET \/upgrades\/job-1 with a reply that is not an upgrade job: hop: .*; createdAt: /,
    );
  });

  it('status: an error reply without the error shape still maps its status (404: exit 2)', async () => {
    // Prepare
    replies['GET /upgrades/job-1'] = json(404, { error: 'gone' });

    // Act
    const run = await cli(['status', 'job-1']);

    // Assess
    expectOneLine(run, 2, /^error: the API answered HTTP 404 without the error shape$/);
  });
});

describe('replies the contract allows for records stored before it was tightened', () => {
  it('clusters show: a platformVersion registered before it had to be a version is shown, to be corrected', async () => {
    // Prepare
    replies['GET /clusters/edge-7'] = json(200, { name: 'edge-7', labels: {}, platformVersion: 'banana' });

    // Act
    const run = await cli(['clusters', 'show', 'edge-7']);

    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Platform\s+ACP banana$/m);
  });
});

describe('a token that cannot be a bearer token', () => {
  const secret = 'secret-part-one\nsecret-part-two';

  it.each([
    [
      '$REDIS_UPGRADER_CLIENT_TOKEN with a newline',
      [],
      { REDIS_UPGRADER_CLIENT_TOKEN: secret },
      '$REDIS_UPGRADER_CLIENT_TOKEN',
    ],
    ['--token with a space', ['--token', 'secret-part-one secret-part-two'], {}, '--token'],
    [
      '$REDIS_UPGRADER_CLIENT_TOKEN with a quote',
      [],
      { REDIS_UPGRADER_CLIENT_TOKEN: 'secret-part-one"' },
      '$REDIS_UPGRADER_CLIENT_TOKEN',
    ],
  ])(
    '%s: exit 2 naming where it came from, the value unshown, no request',
    async (_name, flags, env, where) => {
      // Act
      const runs = [
        await cli([...upgrade, ...flags], env),
        await cli(['status', 'job-1', '--json', ...flags], env),
      ];

      // Assess
      const [plain, asJson] = runs as [Run, Run];
      expectOneLine(plain, 2, /^error: the API token in .* is not a valid bearer token/);
      expect(plain.stderr).toContain(where);
      expect(asJson.code).toBe(2);
      expect(JSON.parse(asJson.stdout).error).toMatchObject({ code: 'INVALID_CONFIG' });
      for (const run of runs) expect(run.stdout + run.stderr).not.toContain('secret-part');
      expect(requests).toEqual([]);
    },
  );

  it('refuses credentials in the API URL without echoing them', async () => {
    // Act
    const run = await cli([...upgrade, '--api', api.replace('http://', 'http://admin:secret-part@')]);

    // Assess
    expectOneLine(run, 2, /^error: the API URL \(--api or \$REDIS_UPGRADER_URL\) must not carry credentials/);
    expect(run.stderr).not.toContain('secret-part');
    expect(requests).toEqual([]);
  });
});
