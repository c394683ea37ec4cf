/**
 * Platform outages as clients see them over real HTTP: client-node and fetch get 503 (a
 * Kubernetes Status) or ECONNREFUSED from the cluster API, discovery and the upload endpoint;
 * the platform comes back on the same port with its objects; the other platform never notices.
 */
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { Agent, get } from 'node:https';
import { resolve } from 'node:path';
import { ApiException, CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '#domain/errors.ts';
import { type Fleet, type FleetPlatform, startFleet } from '#sim/fleet.ts';
import { parseScenario } from '#sim/scenario.ts';
import { UPLOAD_PATH } from '#sim/upload/upload-route.ts';
import { type Answer, fleetFetch, kubeConfigFor, networkCode, PACKAGES, probe, waitFor } from './by-hand.ts';

const PACKAGE = resolve(PACKAGES, 'redis-operator.stable.ALL.v4.0.3.tgz');

describe('platform outages', () => {
  let fleet: Fleet;
  let pkg: Buffer;
  const platform = (name: string) => {
    const found = fleet.platforms.find((p) => p.name === name);
    if (!found) throw new Error(`no platform ${name}`);
    return found;
  };
  const clusterOf = (name: string) => platform(name).clusters[0] as string;
  const ca = () => fleet.certificateAuthority;
  const discovery = (name: string) =>
    probe(`${platform(name).url}/auth/v1/clusters`, platform(name).token, { ca: ca() });
  const uploadUrl = (name: string) => `${platform(name).url}${UPLOAD_PATH}?clusters=${clusterOf(name)}`;
  const upload = (name: string) =>
    probe(uploadUrl(name), platform(name).token, { method: 'POST', body: pkg, ca: ca() });
  /** A GET whose response is left for the caller to read (a watch streams until the server ends it). */
  const openGet = (name: string, path: string, agent: Agent | false = false) =>
    new Promise<IncomingMessage>((done, fail) => {
      const headers = { Authorization: `Bearer ${platform(name).token}` };
      get(`${platform(name).url}${path}`, { agent, headers, ca: ca() }, done).on('error', fail);
    });
  const core = (name: string) => kubeConfigFor(fleet, clusterOf(name)).makeApiClient(CoreV1Api);
  const readVersionMap = (name: string) =>
    core(name).readNamespacedConfigMap({ name: 'acp-version', namespace: 'kube-public' });

  beforeAll(async () => {
    fleet = await startFleet({
      scenario: parseScenario({ platforms: [{ name: 'east' }, { name: 'west' }] }),
      clusters: 2,
      speed: 10_000,
    });
    pkg = await readFile(PACKAGE);
  });
  afterAll(() => fleet.stop());

  it('503: answers every request 503 with a Kubernetes Status, upload included, ends open watches, then serves the same objects again', async () => {
    // Prepare
    const before = await readVersionMap('east');
    const url = platform('east').url;
    const watch = await openGet('east', `/kubernetes/${clusterOf('east')}/api/v1/namespaces?watch=true`);
    watch.resume();
    const watchEnded = once(watch, 'end');

    // Act
    const outage = await fleet.outage('east', { seconds: 0.5, mode: '503' });
    const api = await readVersionMap('east').catch((error: unknown) => error);
    const uploaded = await fleetFetch(fleet)(uploadUrl('east'), {
      method: 'POST',
      headers: { Authorization: `Bearer ${platform('east').token}`, 'Content-Type': 'application/gzip' },
      body: pkg,
    });
    const listed = await discovery('east');
    const other = await discovery('west');
    await watchEnded;
    await outage.ended;
    const after = await readVersionMap('east');

    // Assess
    expect(outage).toMatchObject({ platform: 'east', mode: '503', state: '503' });
    expect(api).toBeInstanceOf(ApiException);
    expect((api as ApiException<string>).code).toBe(503);
    expect(JSON.parse((api as ApiException<string>).body)).toMatchObject({
      kind: 'Status',
      code: 503,
      reason: 'ServiceUnavailable',
    });
    expect(uploaded.status).toBe(503);
    expect(await uploaded.json()).toMatchObject({ code: 503, message: expect.any(String) });
    expect(listed).toBe(503);
    expect(other).toBe(200);
    expect(platform('east').url).toBe(url);
    expect(after.metadata).toEqual(before.metadata);
    expect(fleet.clusterLedger(clusterOf('east')).uploads).toEqual({});
  });

  it('refuse: refuses connections, drops open watches and keep-alive connections, listens again on the same port', async () => {
    // Prepare
    const { url } = platform('east');
    const agent = new Agent({ keepAlive: true, ca: ca() });
    const watch = await openGet(
      'east',
      `/kubernetes/${clusterOf('east')}/api/v1/namespaces?watch=true`,
      agent,
    );
    const idle = await openGet('east', '/auth/v1/clusters', agent);
    const watchClosed = once(watch.socket, 'close');
    const idleClosed = once(idle.socket, 'close');
    idle.resume();
    await once(idle, 'end'); // its connection goes back to the agent's pool, idle
    const before = await readVersionMap('east');

    // Act
    const outage = await fleet.outage('east', { seconds: 0.5, mode: 'refuse' });
    const uploaded = await upload('east');
    const listed = await discovery('east');
    const other = await discovery('west');
    const api = await readVersionMap('east').catch((error: unknown) => error);
    await Promise.all([watchClosed, idleClosed]);
    await outage.ended;
    const after = await readVersionMap('east');
    agent.destroy();

    // Assess
    expect(outage).toMatchObject({ platform: 'east', mode: 'refuse', state: 'refuse' });
    expect(api).not.toBeInstanceOf(ApiException);
    expect(networkCode(api)).toBe('ECONNREFUSED');
    expect(uploaded).toBe('ECONNREFUSED');
    expect(listed).toBe('ECONNREFUSED');
    expect(other).toBe(200);
    expect(platform('east').url).toBe(url);
    expect(after.metadata).toEqual(before.metadata);
  });

  it('mixed: refuses connections for the first half of the window, answers 503 for the second, then serves', async () => {
    // Act
    const outage = await fleet.outage('west', { seconds: 0.6, mode: 'mixed' });
    const seen: Answer[] = [await discovery('west')];
    const listedDuring = fleet.outages().map((o) => o.state);
    await waitFor(
      'the second half of the outage',
      () => discovery('west'),
      (a) => a === 503,
    );
    seen.push(503, ...fleet.outages().map((o) => o.state));
    await outage.ended;
    seen.push(await discovery('west'));

    // Assess
    expect(listedDuring).toEqual(['refuse']);
    expect(seen).toEqual(['ECONNREFUSED', 503, '503', 200]);
    expect(fleet.outages()).toEqual([]);
  });

  it('refuses a second outage of a platform that is out, an unknown platform and a non-positive window', async () => {
    // Prepare
    const outage = await fleet.outage('west', { seconds: 0.2 });

    // Act
    const again = fleet.outage('west', { seconds: 1 });
    const unknown = fleet.outage('north', { seconds: 1 });
    const empty = fleet.outage('east', { seconds: 0 });

    // Assess
    await expect(again).rejects.toBeInstanceOf(ConflictError);
    await expect(again).rejects.toMatchObject({ code: 'OUTAGE_IN_PROGRESS' });
    await expect(unknown).rejects.toBeInstanceOf(NotFoundError);
    await expect(unknown).rejects.toThrow('the fleet has no platform north; it has east, west');
    await expect(empty).rejects.toBeInstanceOf(ValidationError);
    expect(await discovery('east')).toBe(200);
    await outage.ended;
  });
});

describe('scenario outages', () => {
  it('take the platform down at `after` on the wall clock for `duration`, whatever the speed', async () => {
    // Prepare: at 100000x a scaled 400 ms would be 4 µs
    const fleet = await startFleet({
      scenario: parseScenario({
        speed: 100_000,
        clusters: { count: 1 },
        outages: [{ platform: 'acp', after: '400ms', duration: '300ms', mode: 'refuse' }],
      }),
    });
    const started = Date.now();
    const { url, token } = fleet.platforms[0] as FleetPlatform;
    const discovery = () => probe(`${url}/auth/v1/clusters`, token, { ca: fleet.certificateAuthority });

    // Act
    const first = await discovery();
    await waitFor('the scheduled outage', discovery, (a) => a === 'ECONNREFUSED');
    const down = Date.now() - started;
    await waitFor('the platform back', discovery, (a) => a === 200);
    const up = Date.now() - started;
    await fleet.stop();

    // Assess
    expect(first).toBe(200);
    expect(down).toBeGreaterThanOrEqual(395);
    expect(up - down).toBeGreaterThanOrEqual(200);
    expect(up).toBeGreaterThanOrEqual(695);
  });

  it('stop while a platform refuses connections, and cancel the outages still to come', async () => {
    // Prepare
    const fleet = await startFleet({
      scenario: parseScenario({
        clusters: { count: 1 },
        outages: [
          { platform: 'acp', after: 0, duration: '1h', mode: 'refuse' },
          { platform: 'acp', after: '2h', duration: '1m' },
        ],
      }),
    });
    await waitFor(
      'the outage',
      async () => fleet.outages().length,
      (n) => n === 1,
    );

    // Act
    const stopped = await Promise.race([
      fleet.stop().then(() => 'stopped'),
      new Promise((wake) => setTimeout(() => wake('hung'), 2000)),
    ]);

    // Assess
    expect(stopped).toBe('stopped');
  });
});
