/**
 * `webhooks add|list|rm|rotate|deliveries` and `release` as users run them: the real binary
 * against the real API handler and HTTP server over in-memory stores (and a catalog file for the
 * release webhook), so every request the CLI sends is checked by the server it will meet.
 */
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { readCatalogFile } from '#adapters/local/catalog-file.ts';
import { FileCatalogStore } from '#adapters/local/file-catalog-store.ts';
import { SqliteReleaseLog } from '#adapters/local/sqlite-release-log.ts';
import { rolloutPoliciesSchema } from '#domain/rollout/rollout-policy.ts';
import { useTempDirs } from '#test/adapters/local/support/temp-dir.ts';
import { type ApiUnderTest, startApi, TOKEN } from '#test/api/support/api-server.ts';
import { newSigningSecret } from '#usecases/webhook-secret.ts';
import { expectOneLine, runCli } from './support/run-cli.ts';

const tempDir = useTempDirs();
const RELEASE_SECRET = newSigningSecret();

const ENTRY = {
  version: '5.1.1',
  csv: 'redis-operator.v5.1.1',
  channel: 'stable-v5',
  platform: '>=3.18.0 <4.5.0',
  from: '>=5.0.0',
  artifact: {
    url: 'https://packages.example.invalid/redis-operator.v5.1.1.tgz',
    sha256: 'a'.repeat(64),
    size: 1234,
  },
};

function cliOf(api: ApiUnderTest, env: Record<string, string> = {}) {
  return (args: string[]) =>
    runCli(args, { REDIS_UPGRADER_URL: api.url, REDIS_UPGRADER_CLIENT_TOKEN: TOKEN, ...env });
}

describe('webhooks', () => {
  it('adds an endpoint showing its secret once, lists it without, rotates, shows deliveries, removes it', async () => {
    // Prepare
    const api = await startApi();
    const cli = cliOf(api);
    // Act
    const added = await cli([
      'webhooks',
      'add',
      'https://hooks.example.com/x',
      '--event',
      'batch.started,batch.completed',
      '--json',
    ]);
    const { endpoint, secret } = JSON.parse(added.stdout) as { endpoint: { id: string }; secret: string };
    const [list, table, rotated, deliveries] = await Promise.all([
      cli(['webhooks', 'list', '--json']),
      cli(['webhooks', 'list']),
      cli(['webhooks', 'rotate', endpoint.id, '--overlap', '1h']),
      cli(['webhooks', 'deliveries', endpoint.id]),
    ]);
    const removed = await cli(['webhooks', 'rm', endpoint.id]);
    const after = await cli(['webhooks', 'list']);
    // Assess
    expect(added.code).toBe(0);
    expect(secret).toMatch(/^whsec_/);
    expect(JSON.parse(list.stdout).items).toEqual([
      expect.objectContaining({
        id: endpoint.id,
        events: ['batch.started', 'batch.completed'],
        status: 'active',
      }),
    ]);
    expect(list.stdout + table.stdout).not.toContain('whsec_');
    expect(table.stdout).toMatch(
      /^ID\s+URL\s+EVENTS\s+STATUS\n\S+\s+https:\/\/hooks\.example\.com\/x\s+batch\.started,batch\.completed\s+active\n$/,
    );
    expect(rotated.stdout).toMatch(
      /^New secret for \S+: whsec_\S+ {2}\(shown this once\); the previous secret signs too until /,
    );
    expect(deliveries.stdout).toBe('No deliveries to this endpoint yet.\n');
    expect(removed.stdout).toBe(`Removed endpoint ${endpoint.id} (https://hooks.example.com/x).\n`);
    expect(after.stdout).toMatch(/^No webhook endpoints/);
  });

  it('refuses bad input in one line with exit 2, and an unknown endpoint too', async () => {
    // Prepare
    const api = await startApi();
    const cli = cliOf(api);
    // Act
    const runs = await Promise.all([
      cli(['webhooks', 'add', 'https://hooks.example.com/x', '--event', 'batch.exploded']),
      cli(['webhooks', 'add', 'http://127.0.0.1:9/x', '--event', '*']),
      cli(['webhooks', 'add', 'https://hooks.example.com/x']),
      cli(['webhooks', 'rm', 'ep_0123456789abcdef0123456789abcdef']),
    ]);
    // Assess
    expectOneLine(runs[0] as never, 2, /events\.0: must be \* or one of/);
    expectOneLine(runs[1] as never, 2, /loopback|private|not a permitted/i);
    expectOneLine(runs[2] as never, 2, /--event <type>.* not specified/);
    expectOneLine(runs[3] as never, 2, /not found/);
  });
});

describe('release', () => {
  async function releaseApi() {
    const dir = await tempDir();
    const file = join(dir, 'catalog.json');
    await copyFile('examples/catalog.json', file);
    const clock = { now: () => new Date() };
    const api = await startApi({
      releases: {
        releaseSecrets: async () => [RELEASE_SECRET],
        catalogStore: new FileCatalogStore(file, await readCatalogFile(file)),
        releaseLog: new SqliteReleaseLog(new DatabaseSync(':memory:'), clock),
        clock,
        policies: rolloutPoliciesSchema.parse([
          { name: 'prod-v5', versions: '^5.1.0', selector: { matchLabels: { env: 'prod' } }, strategy: {} },
        ]),
      },
    });
    const write = async (name: string, body: unknown) => {
      const path = join(dir, name);
      await writeFile(path, typeof body === 'string' ? body : JSON.stringify(body));
      return path;
    };
    return { api, file, write };
  }

  it('signs and sends a release without an API token, says what the policies started, and never prints the secret', async () => {
    // Prepare
    const { api, file, write } = await releaseApi();
    const entry = await write('entry.json', ENTRY);
    const cli = (args: string[]) =>
      runCli(args, { REDIS_UPGRADER_URL: api.url, REDIS_UPGRADER_CLIENT_RELEASE_SECRET: RELEASE_SECRET });
    // Act
    const sent = await cli(['release', '--file', entry, '--id', 'rel_cli_1']);
    const again = await cli(['release', '--file', entry, '--id', 'rel_cli_1']);
    // Assess
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toMatch(
      /^Registered 5\.1\.1; the catalog lists \d+ versions\.\nPolicy prod-v5 started batch \S+ on 1 clusters: redis-upgrader rollout status \S+\nRelease id: rel_cli_1\n$/,
    );
    expect((await readCatalogFile(file)).versions.map((v) => v.version)).toContain('5.1.1');
    expect(await api.batches.list({})).toHaveLength(1);
    expectOneLine(again, 1, /rel_cli_1 was received before/);
    expect(sent.stdout + sent.stderr + again.stdout + again.stderr).not.toContain(RELEASE_SECRET.slice(6));
  });

  it('refuses a bad file, a missing or malformed secret and a wrong one in one line, changing nothing', async () => {
    // Prepare
    const { api, file, write } = await releaseApi();
    const [entry, notRelease, notJson] = await Promise.all([
      write('entry.json', ENTRY),
      write('bad.json', { version: '5.1.1' }),
      write('text.json', 'version: 5.1.1'),
    ]);
    const before = await readCatalogFile(file);
    const run = (args: string[], secret?: string) =>
      runCli(['release', ...args], {
        REDIS_UPGRADER_URL: api.url,
        ...(secret ? { REDIS_UPGRADER_CLIENT_RELEASE_SECRET: secret } : {}),
      });
    // Act
    const runs = await Promise.all([
      run(['--file', notRelease], RELEASE_SECRET),
      run(['--file', notJson], RELEASE_SECRET),
      run(['--file', join(file, '..', 'missing.json')], RELEASE_SECRET),
      run(['--file', entry]),
      run(['--file', entry], 'whsec_not-base64!'),
      run(['--file', entry], newSigningSecret()),
    ]);
    // Assess
    expectOneLine(runs[0] as never, 2, /bad\.json is neither a catalog entry nor a withdrawal/);
    expectOneLine(runs[1] as never, 2, /text\.json is not JSON/);
    expectOneLine(runs[2] as never, 2, /cannot read .*missing\.json: ENOENT/);
    expectOneLine(runs[3] as never, 2, /no release secret: set \$REDIS_UPGRADER_CLIENT_RELEASE_SECRET/);
    expectOneLine(runs[4] as never, 2, /not a whsec_ secret .*the value is not shown/);
    expectOneLine(runs[5] as never, 1, /release refused: .*check \$REDIS_UPGRADER_CLIENT_RELEASE_SECRET/);
    expect(runs.map((each) => each.stderr).join('')).not.toContain('not-base64');
    expect(await readCatalogFile(file)).toEqual(before);
  });
});
