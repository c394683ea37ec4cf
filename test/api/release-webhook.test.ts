import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { readCatalogFile } from '#adapters/local/catalog-file.ts';
import { FileCatalogStore } from '#adapters/local/file-catalog-store.ts';
import { SqliteReleaseLog } from '#adapters/local/sqlite-release-log.ts';
import { type RolloutPolicy, rolloutPoliciesSchema } from '#domain/rollout/rollout-policy.ts';
import { useTempDirs } from '#test/adapters/local/support/temp-dir.ts';
import { newSigningSecret } from '#usecases/webhook-secret.ts';
import { errorOf, startApi } from './support/api-server.ts';

const tempDir = useTempDirs();
const [CURRENT, PREVIOUS] = [newSigningSecret(), newSigningSecret()];

const ENTRY = {
  version: '5.1.1',
  csv: 'redis-operator.v5.1.1',
  channel: 'stable-v5',
  platform: '>=4.1.0 <4.5.0',
  from: '>=5.0.0',
  artifact: {
    url: 'https://packages.example.invalid/redis-operator.stable-v5.ALL.v5.1.1.tgz',
    sha256: 'a'.repeat(64),
    size: 1234,
  },
};

/** A policy that starts a batch on every release, so a refused one shows by the batch it did not start. */
const EVERY_RELEASE = rolloutPoliciesSchema.parse([
  { name: 'all', versions: '*', selector: {}, strategy: {} },
]);

async function releaseApi(policies: RolloutPolicy[] = []) {
  const file = join(await tempDir(), 'catalog.json');
  await copyFile('examples/catalog.json', file);
  const store = new FileCatalogStore(file, await readCatalogFile(file));
  const clock = { now: () => new Date() };
  const api = await startApi({
    releases: {
      releaseSecrets: async () => [CURRENT, PREVIOUS],
      catalogStore: store,
      releaseLog: new SqliteReleaseLog(new DatabaseSync(':memory:'), clock),
      clock,
      policies,
    },
  });
  let sequence = 0;
  const send = async (
    body: unknown,
    options: {
      secret?: string;
      at?: Date;
      id?: string;
      headers?: Record<string, string>;
      tamper?: boolean;
      contentType?: string;
    } = {},
  ) => {
    const text = JSON.stringify(body);
    const id = options.id ?? `rel_${++sequence}`;
    const at = options.at ?? new Date();
    const signature = new Webhook(options.secret ?? CURRENT).sign(id, at, text);
    const headers = options.headers ?? {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
    };
    const sent = options.tamper ? text.replace('5.1.1', '5.1.9') : text;
    return api.call('POST', '/webhooks/releases', {
      body: sent,
      headers: { 'content-type': options.contentType ?? 'application/json', authorization: '', ...headers },
    });
  };
  return { api, file, store, send, catalogText: () => readFile(file, 'utf8') };
}

describe('POST /webhooks/releases', () => {
  it('registers a signed release: the catalog file and the runtime’s catalog list it', async () => {
    // Prepare
    const { file, store, send } = await releaseApi();
    // Act
    const response = await send(ENTRY);
    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ action: 'registered', version: '5.1.1' });
    expect((await readCatalogFile(file)).versions).toContainEqual(ENTRY);
    expect(store.current.versions).toContainEqual(ENTRY);
  });

  it('starts the batch of each rollout policy that admits the released version, and says so', async () => {
    // Prepare
    const policies = rolloutPoliciesSchema.parse([
      {
        name: 'prod-v5',
        versions: '^5.1.0',
        selector: { matchLabels: { env: 'prod' } },
        strategy: { canary: 1 },
      },
      { name: 'v4-only', versions: '^4.0.0', selector: {}, strategy: {} },
    ]);
    const { api, send } = await releaseApi(policies);
    // Act
    const response = await send(ENTRY);
    // Assess
    expect(response.status).toBe(200);
    const outcome = (await response.json()) as { rollouts: { batchId: string }[] };
    expect(outcome).toMatchObject({
      action: 'registered',
      rollouts: [{ policy: 'prod-v5', batchId: expect.any(String), clusters: 1, created: true }],
    });
    const batch = await api.batches.get(outcome.rollouts[0]?.batchId ?? '');
    expect(batch).toMatchObject({ targetVersion: '5.1.1', clusters: [{ name: 'region1' }] });
    expect(api.queue.peek().map(({ queue }) => queue)).toEqual(['rollout']);
  });

  it('starts no second rollout when the same version is released again under a new webhook-id', async () => {
    // Prepare
    const { api, send } = await releaseApi(EVERY_RELEASE);
    const first = (await (await send(ENTRY, { id: 'rel_first' })).json()) as { rollouts: object[] };
    // Act
    const again = await send(ENTRY, { id: 'rel_again' });
    // Assess
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({
      action: 'registered',
      rollouts: [{ ...first.rollouts[0], created: false }],
    });
    expect(await api.batches.list({})).toHaveLength(1);
  });

  it('withdraws a version with the reason, signed with the secret still in its rotation overlap', async () => {
    // Prepare
    const { file, send } = await releaseApi();
    // Act
    const response = await send({ version: '5.1.0', blocked: 'CVE-2026-1: use 5.1.1' }, { secret: PREVIOUS });
    // Assess
    expect(response.status).toBe(200);
    expect((await readCatalogFile(file)).versions.find((entry) => entry.version === '5.1.0')?.blocked).toBe(
      'CVE-2026-1: use 5.1.1',
    );
  });

  it.each([
    ['a tampered body', { tamper: true }, 'No matching signature'],
    ['a wrong secret', { secret: newSigningSecret() }, 'No matching signature'],
    ['an expired timestamp', { at: new Date(Date.now() - 10 * 60_000) }, 'too old'],
    ['a future timestamp', { at: new Date(Date.now() + 10 * 60_000) }, 'too new'],
    ['missing headers', { headers: {} }, 'Missing required headers'],
  ])('refuses %s with 401 and changes nothing: no catalog change, no batch', async (_, options, reason) => {
    // Prepare
    const { api, send, catalogText } = await releaseApi(EVERY_RELEASE);
    const before = await catalogText();
    // Act
    const response = await send(ENTRY, options);
    // Assess
    expect(response.status).toBe(401);
    expect((await errorOf(response)).message).toContain(reason);
    expect(await catalogText()).toBe(before);
    expect(await api.batches.list({})).toEqual([]);
  });

  it('refuses a replayed webhook-id with 409, changing nothing: no catalog change, no pause', async () => {
    // Prepare
    const { api, send, file } = await releaseApi(EVERY_RELEASE);
    await send(ENTRY, { id: 'rel_once' });
    const [started] = await api.batches.list({});
    // Act
    const replay = await send({ version: '5.1.1', blocked: 'sneaky' }, { id: 'rel_once' });
    // Assess
    expect(replay.status).toBe(409);
    expect(await api.batches.list({})).toEqual([started]);
    expect(started?.pausedAt).toBeUndefined();
    expect((await errorOf(replay)).code).toBe('REPLAYED');
    expect(
      (await readCatalogFile(file)).versions.find((entry) => entry.version === '5.1.1')?.blocked,
    ).toBeUndefined();
  });

  it('refuses a correctly signed body not sent as JSON with 415, changing nothing', async () => {
    // Prepare
    const { api, send, catalogText } = await releaseApi(EVERY_RELEASE);
    const before = await catalogText();
    // Act
    const response = await send({ version: '5.1.0', blocked: 'CVE-2026-1' }, { contentType: 'text/plain' });
    // Assess
    expect(response.status).toBe(415);
    expect((await errorOf(response)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await catalogText()).toBe(before);
    expect(await api.batches.list({})).toEqual([]);
  });

  it.each([
    ['an entry the catalog contract refuses', { ...ENTRY, platform: 'banana' }, 400],
    ['a withdrawal of a version the catalog lacks', { version: '9.9.9', blocked: 'no' }, 404],
  ])('refuses %s, changing nothing', async (_, body, status) => {
    // Prepare
    const { send, catalogText } = await releaseApi();
    const before = await catalogText();
    // Act
    const response = await send(body);
    // Assess
    expect(response.status).toBe(status);
    expect(await catalogText()).toBe(before);
  });
});
