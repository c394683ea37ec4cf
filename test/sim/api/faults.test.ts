import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultInjector } from '#sim/api/faults.ts';
import { SUBSCRIPTION } from '#sim/resource-types.ts';
import {
  expectStatus,
  MERGE_PATCH,
  type SimApi,
  SUBSCRIPTIONS,
  startSimApi,
  subscription,
} from '#test/sim/api/sim-api-fixture.ts';

let sim: SimApi;

beforeAll(async () => {
  sim = await startSimApi(
    [
      { name: 'always-500', faults: { error500Rate: 1 } },
      { name: 'always-429', faults: { throttle429Rate: 1, retryAfterSeconds: 7 } },
      { name: 'always-timeout', faults: { timeoutRate: 1, timeoutMs: 150 } },
      { name: 'write-409', faults: { conflict409Rate: 1 } },
      { name: 'half-500', faults: { error500Rate: 0.5 } },
    ],
    { seed: 42 },
  );
});
afterAll(() => sim.close());

function namespaces(cluster: string) {
  return sim.kubeConfig(cluster).makeApiClient(CoreV1Api);
}

describe('fault injection, as client-node sees it', () => {
  it('answers 500 InternalError', async () => {
    // Act
    const status = await expectStatus(() => namespaces('always-500').listNamespace());

    // Assess
    expect(status).toMatchObject({ code: 500, reason: 'InternalError' });
  });

  it('answers 429 TooManyRequests with Retry-After', async () => {
    // Act
    let headers: Record<string, string> = {};
    const status = await expectStatus(() =>
      namespaces('always-429')
        .listNamespace()
        .catch((error: { headers: Record<string, string> }) => {
          headers = error.headers;
          throw error;
        }),
    );

    // Assess
    expect(status).toMatchObject({ code: 429, reason: 'TooManyRequests', details: { retryAfterSeconds: 7 } });
    expect(headers['retry-after']).toBe('7');
  });

  it('holds a request for timeoutMs and then drops the connection', async () => {
    // Prepare
    const started = Date.now();

    // Act
    const error = await namespaces('always-timeout')
      .listNamespace()
      .then(
        () => undefined,
        (e: unknown) => e,
      );

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect((error as { code?: unknown }).code).toBeUndefined(); // a network failure, not an HTTP status
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('answers writes with 409 Conflict without applying them, while reads pass', async () => {
    // Prepare
    sim.store('write-409').create(SUBSCRIPTION, subscription('redis-operator'));
    const custom = sim.kubeConfig('write-409').makeApiClient(CustomObjectsApi);

    // Act
    const status = await expectStatus(() =>
      custom.patchNamespacedCustomObject(
        { ...SUBSCRIPTIONS, name: 'redis-operator', body: { spec: { channel: 'v4' } } },
        MERGE_PATCH,
      ),
    );
    const read = (await custom.getNamespacedCustomObject({ ...SUBSCRIPTIONS, name: 'redis-operator' })) as {
      spec: { channel: string };
    };

    // Assess
    expect(status).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(read.spec.channel).toBe('stable');
  });

  it('draws faults from a seeded stream per cluster, so a run is reproducible', async () => {
    // Prepare
    const outcomes = async (): Promise<number[]> => {
      const codes: number[] = [];
      for (let i = 0; i < 12; i++) {
        codes.push(
          await namespaces('half-500')
            .listNamespace()
            .then(
              () => 200,
              (e: { code: number }) => e.code,
            ),
        );
      }
      return codes;
    };
    const expected = new FaultInjector(42);
    const predicted = Array.from({ length: 12 }, () =>
      expected.pick('half-500', { error500Rate: 0.5 }, 'GET') ? 500 : 200,
    );

    // Act
    const observed = await outcomes();

    // Assess
    expect(observed).toEqual(predicted);
    expect(new Set(observed)).toEqual(new Set([200, 500]));
  });
});
