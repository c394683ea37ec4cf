/**
 * The adapter's retry policy against the simulator's fault injection, counted on the server side:
 * 5xx, 429 (after its Retry-After) and timeouts are retried until they succeed; 4xx answers are
 * final and come out as typed errors after exactly one request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClusterClient } from '#adapters/kube/kube-cluster-client.ts';
import { DEFAULT_CLIENT_OPTIONS } from '#adapters/kube/kube-cluster-gateway.ts';
import {
  ConflictError,
  NotFoundError,
  TransientError,
  UnauthorizedError,
  ValidationError,
} from '#domain/errors.ts';
import { FAST_RETRY, type KubeSim, type RecordedRequest, startKubeSim } from './support/kube-sim.ts';

const PRODUCT_BASES = '/apis/product.alauda.io/v1alpha2/productbases';

describe('KubeClusterClient retry policy', () => {
  let sim: KubeSim;

  beforeAll(async () => {
    sim = await startKubeSim();
    sim.addCluster('flaky');
    sim.addEmptyCluster('empty');
  });
  afterAll(async () => {
    await sim.close();
  });

  /** What `act` sent to `cluster`. */
  async function requestsDuring(cluster: string, act: () => Promise<unknown>): Promise<RecordedRequest[]> {
    const before = sim.requestsTo(cluster).length;
    await act();
    return sim.requestsTo(cluster).slice(before);
  }

  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => error,
    );

  it('retries 500s and returns the answer that follows', async () => {
    // Prepare
    sim.scriptFaults('flaky', [{ error500Rate: 1 }, { error500Rate: 1 }]);
    let version: string | undefined;

    // Act
    const sent = await requestsDuring('flaky', async () => {
      version = await sim.client('flaky').readPlatformVersion();
    });

    // Assess
    expect(version).toBe('3.18.1');
    expect(sent.map((r) => r.path)).toEqual([PRODUCT_BASES, PRODUCT_BASES, PRODUCT_BASES]);
  });

  it('waits for Retry-After before retrying a 429', async () => {
    // Prepare
    sim.scriptFaults('flaky', [{ throttle429Rate: 1, retryAfterSeconds: 1 }]);
    let version: string | undefined;

    // Act
    const sent = await requestsDuring('flaky', async () => {
      version = await sim.client('flaky').readPlatformVersion();
    });

    // Assess
    expect(version).toBe('3.18.1');
    expect(sent).toHaveLength(2);
    const [first, second] = sent as [RecordedRequest, RecordedRequest];
    expect(second.at - first.at).toBeGreaterThanOrEqual(990);
  });

  it('gives up on a request that outlives its deadline and retries it', async () => {
    // Prepare: the server holds the first request far longer than the client's deadline
    sim.scriptFaults('flaky', [{ timeoutRate: 1, timeoutMs: 10_000 }]);
    const client = sim.client('flaky', { retry: { ...FAST_RETRY, requestTimeoutMs: 150 } });
    let version: string | undefined;

    // Act
    const sent = await requestsDuring('flaky', async () => {
      version = await client.readPlatformVersion();
    });

    // Assess
    expect(version).toBe('3.18.1');
    expect(sent).toHaveLength(2);
    expect((sent[1] as RecordedRequest).at - (sent[0] as RecordedRequest).at).toBeLessThan(1_000);
  });

  it('retries when the server drops the connection', async () => {
    // Prepare
    sim.scriptFaults('flaky', [{ timeoutRate: 1, timeoutMs: 20 }]);
    let subscriptionChannel: string | undefined;

    // Act
    const sent = await requestsDuring('flaky', async () => {
      subscriptionChannel = (await sim.client('flaky').readSubscription()).channel;
    });

    // Assess
    expect(subscriptionChannel).toBe('stable');
    expect(sent).toHaveLength(2);
  });

  it('stops after the configured retries with a TransientError carrying the server message', async () => {
    // Prepare
    sim.scriptFaults(
      'flaky',
      Array.from({ length: 10 }, () => ({ error500Rate: 1 })),
    );
    let error: unknown;

    // Act
    const sent = await requestsDuring('flaky', async () => {
      error = await failure(sim.client('flaky').readPlatformVersion());
    });
    sim.scriptFaults('flaky', []);

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toBe(
      'cluster flaky: list productbases: Internal error occurred: injected fault',
    );
    expect(sent).toHaveLength(FAST_RETRY.retries + 1);
  });

  it('does not retry a 404: a missing Subscription is a NotFoundError after one request', async () => {
    // Act
    let error: unknown;
    const sent = await requestsDuring('empty', async () => {
      error = await failure(sim.client('empty').readSubscription());
    });

    // Assess
    expect(error).toBeInstanceOf(NotFoundError);
    expect(sent).toHaveLength(1);
  });

  it('does not retry a 422: an object the API server refuses is a ValidationError', async () => {
    // Prepare: a name that is no RFC 1123 subdomain
    const instance = { kind: 'Redis', name: 'Not_Valid', namespace: 'team-a', healthy: true } as const;
    let error: unknown;

    // Act
    const sent = await requestsDuring('flaky', async () => {
      error = await failure(sim.client('flaky').createRedisBackup(instance, 'Not_Valid-pre-upgrade'));
    });

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe('CLUSTER_REJECTED');
    expect(sent.map((r) => r.method)).toEqual(['POST']);
  });

  it('does not retry a 409 on a write: it is a ConflictError for the caller to re-read', async () => {
    // Prepare
    const client = sim.client('flaky');
    const { resourceVersion } = await client.readSubscription();
    sim.scriptFaults('flaky', [{ conflict409Rate: 1 }]);
    let error: unknown;

    // Act
    const sent = await requestsDuring('flaky', async () => {
      error = await failure(client.patchSubscriptionChannel('stable', resourceVersion));
    });

    // Assess
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).code).toBe('CLUSTER_CONFLICT');
    expect(sent.map((r) => r.method)).toEqual(['PATCH']);
  });

  it('does not retry a refused token: UnauthorizedError after one request', async () => {
    // Prepare
    const client = new KubeClusterClient('flaky', sim.endpoint('flaky', 'not-the-token'), {
      ...DEFAULT_CLIENT_OPTIONS,
      retry: FAST_RETRY,
    });
    let error: unknown;

    // Act
    const sent = await requestsDuring('flaky', async () => {
      error = await failure(client.readPlatformVersion());
    });

    // Assess
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect((error as Error).message).not.toContain('not-the-token');
    expect(sent).toHaveLength(1);
  });
});
