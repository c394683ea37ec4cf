/**
 * The simulator's control API over real HTTP: outages started from outside, answered while the
 * platform refuses connections, the ledger as JSON, and every refusal in the JSON error shape.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHttpServer } from '#runtime/http-server.ts';
import { startControlServer } from '#sim/control/control-server.ts';
import { type Fleet, type FleetPlatform, startFleet } from '#sim/fleet.ts';
import type { LedgerView } from '#sim/ledger.ts';
import type { Outage } from '#sim/outages.ts';
import { parseScenario } from '#sim/scenario.ts';
import { UPLOAD_PATH } from '#sim/upload/upload-route.ts';
import { fleetFetch, PACKAGES, probe, waitFor } from './by-hand.ts';

const TOKEN = 'control-token-for-tests';

/** Whatever a control route answers: an outage, a list of them, the ledger or an error. */
type ControlBody = Partial<Outage> &
  Partial<LedgerView> & { outages?: Outage[]; error?: { code: string; message: string } };

describe('simulator control API', () => {
  let fleet: Fleet;
  let control: RunningHttpServer;
  let east: FleetPlatform;

  const call = async (method: string, path: string, init: { body?: string; headers?: object } = {}) => {
    const response = await fetch(`${control.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', ...init.headers },
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as ControlBody,
    };
  };
  const discovery = () =>
    probe(`${east.url}/auth/v1/clusters`, east.token, { ca: fleet.certificateAuthority });

  beforeAll(async () => {
    fleet = await startFleet({
      scenario: parseScenario({ platforms: [{ name: 'east' }, { name: 'west' }] }),
      clusters: 2,
      speed: 10_000,
    });
    east = fleet.platforms[0] as FleetPlatform;
    control = await startControlServer({ fleet, token: TOKEN, host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await control.close();
    await fleet.stop();
  });

  it('takes a platform down on request and keeps answering while that platform refuses connections', async () => {
    // Act
    const started = await call('POST', '/sim/v1/outages', {
      body: JSON.stringify({ platform: 'east', seconds: 0.5, mode: 'refuse' }),
    });
    const refused = await discovery();
    const during = await call('GET', '/sim/v1/outages');
    const again = await call('POST', '/sim/v1/outages', {
      body: JSON.stringify({ platform: 'east', seconds: 1 }),
    });
    const ledger = await call('GET', '/sim/v1/ledger');
    await waitFor(
      'the outage to end',
      async () => (await call('GET', '/sim/v1/outages')).body.outages,
      (outages) => outages?.length === 0,
    );

    // Assess
    expect(started.status).toBe(201);
    expect(started.body).toEqual({
      platform: 'east',
      mode: 'refuse',
      state: 'refuse',
      startedAt: expect.any(String),
      endsAt: expect.any(String),
    });
    expect(Date.parse(String(started.body.endsAt)) - Date.parse(String(started.body.startedAt))).toBe(500);
    expect(refused).toBe('ECONNREFUSED');
    expect(during).toMatchObject({ status: 200, body: { outages: [started.body] } });
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'OUTAGE_IN_PROGRESS' } } });
    expect(ledger.status).toBe(200);
    expect(Object.keys(ledger.body.clusters ?? {})).toEqual(['cluster-01', 'cluster-02']);
    expect(await discovery()).toBe(200);
  });

  it('serves the ledger as the fleet counts it', async () => {
    // Prepare
    const pkg = await readFile(resolve(PACKAGES, 'redis-operator.stable.ALL.v4.0.3.tgz'));
    await fleetFetch(fleet)(`${east.url}${UPLOAD_PATH}?clusters=cluster-01`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${east.token}`, 'Content-Type': 'application/gzip' },
      body: pkg,
    });

    // Act
    const { status, body } = await call('GET', '/sim/v1/ledger');

    // Assess
    expect(status).toBe(200);
    expect(body).toEqual(fleet.ledger());
    expect(body.clusters?.['cluster-01']).toEqual({
      platform: 'east',
      installedCSV: 'redis-operator.v3.16.2',
      uploads: { 'redis-operator.v4.0.3': 1 },
      approvals: {},
    });
  });

  it.each([
    ['no token', 'GET', '/sim/v1/ledger', { headers: { Authorization: '' } }, 401, 'UNAUTHORIZED'],
    [
      'a wrong token',
      'GET',
      '/sim/v1/ledger',
      { headers: { Authorization: 'Bearer nope' } },
      401,
      'UNAUTHORIZED',
    ],
    [
      'an unknown platform',
      'POST',
      '/sim/v1/outages',
      { body: '{"platform":"north","seconds":1}' },
      404,
      'NOT_FOUND',
    ],
    [
      'a zero window',
      'POST',
      '/sim/v1/outages',
      { body: '{"platform":"east","seconds":0}' },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'an unknown mode',
      'POST',
      '/sim/v1/outages',
      { body: '{"platform":"east","seconds":1,"mode":"flaky"}' },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'an unknown field',
      'POST',
      '/sim/v1/outages',
      { body: '{"platform":"east","seconds":1,"after":3}' },
      400,
      'VALIDATION_FAILED',
    ],
    ['malformed JSON', 'POST', '/sim/v1/outages', { body: '{"platform":' }, 400, 'INVALID_JSON'],
    [
      'a body that is not JSON',
      'POST',
      '/sim/v1/outages',
      { body: 'east 1', headers: { 'Content-Type': 'text/plain' } },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    ['an unknown route', 'GET', '/sim/v1/clusters', {}, 404, 'ROUTE_NOT_FOUND'],
    ['a wrong method', 'DELETE', '/sim/v1/ledger', {}, 405, 'METHOD_NOT_ALLOWED'],
  ])(
    'refuses %s with the JSON error shape and starts no outage',
    async (_label, method, path, init, status, code) => {
      // Act
      const answer = await call(method, path, init);

      // Assess
      expect(answer.status).toBe(status);
      expect(answer.body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
      expect(fleet.outages()).toEqual([]);
      if (status === 405) expect(answer.headers.get('allow')).toBe('GET');
    },
  );
});
