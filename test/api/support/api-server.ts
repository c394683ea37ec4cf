/**
 * The API under test: makeApiHandler over in-memory fakes, served by the local runtime's real
 * HTTP server on a random loopback port, so every test goes over HTTP exactly as a client does.
 */
import { afterEach } from 'vitest';
import type { Catalog } from '#domain/catalog.ts';
import { parseOutboundAllowList } from '#domain/outbound-address.ts';
import { startHttpServer } from '#runtime/http-server.ts';
import { type ApiDeps, makeApiHandler } from '#shared/http/api-handler.ts';
import { InMemoryBatchStore } from '#test/fakes/batch-store.ts';
import { testCatalog } from '#test/fakes/catalog.ts';
import { FakeClock } from '#test/fakes/clock.ts';
import { FakeClusterGateway } from '#test/fakes/cluster.ts';
import { InMemoryClusterRegistry } from '#test/fakes/cluster-registry.ts';
import { InMemoryJobStore } from '#test/fakes/job-store.ts';
import { RecordingLog } from '#test/fakes/log.ts';
import { RecordingNotifier } from '#test/fakes/notifier.ts';
import { FakeQueue } from '#test/fakes/queue.ts';
import { InMemoryWaitHistory } from '#test/fakes/wait-history.ts';
import { webhookPorts } from '#test/fakes/webhooks.ts';
import { type ErrorShape, errorShapeOf } from './error-shape.ts';
import { expectReplyContract } from './reply-contract.ts';

export const TOKEN = 'test-token-0123456789abcdef';

const running: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((close) => close()));
});

export interface ApiUnderTest {
  url: string;
  jobs: InMemoryJobStore;
  batches: InMemoryBatchStore;
  gateway: FakeClusterGateway;
  queue: FakeQueue;
  clusters: InMemoryClusterRegistry;
  notifier: RecordingNotifier;
  log: RecordingLog;
  catalog: Catalog;
  /** fetch against the API with the bearer token (unless `headers.authorization` is given). */
  call(
    method: string,
    path: string,
    init?: { body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
}

/** The API's ports as in-memory fakes, with the two registered clusters every API test starts from. */
export function fakeApiDeps(overrides: Partial<ApiDeps> = {}, maxBodyBytes = 64 * 1024) {
  const clock = new FakeClock();
  const deps = {
    jobs: new InMemoryJobStore(),
    batches: new InMemoryBatchStore(),
    gateway: new FakeClusterGateway(),
    queue: new FakeQueue(clock),
    clusters: new InMemoryClusterRegistry([
      { name: 'region1', context: 'region1', labels: { env: 'prod' }, platformVersion: '3.18.2' },
      { name: 'region2', labels: {} },
    ]),
    catalog: testCatalog(),
    clock,
    notifier: new RecordingNotifier(),
    auth: { bearerToken: TOKEN },
    log: new RecordingLog(),
    maxBodyBytes,
    waitHistory: new InMemoryWaitHistory(),
  };
  const webhooks = {
    ...webhookPorts(),
    queue: deps.queue,
    clock,
    outbound: { allow: parseOutboundAllowList('') },
    secretOverlapSeconds: 3600,
  };
  return { ...deps, webhooks, all: { ...deps, webhooks, ...overrides } satisfies ApiDeps };
}

export async function startApi(
  overrides: Partial<ApiDeps> = {},
  limits: { handlerBodyBytes?: number; serverBodyBytes?: number } = {},
): Promise<ApiUnderTest> {
  const { jobs, batches, gateway, queue, clusters, notifier, log, catalog, all } = fakeApiDeps(
    overrides,
    limits.handlerBodyBytes,
  );
  const handler = makeApiHandler(all);
  const server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    handler,
    maxBodyBytes: limits.serverBodyBytes ?? 1024 * 1024,
    log,
  });
  running.push(server.close);
  const call: ApiUnderTest['call'] = async (method, path, init = {}) => {
    const json = init.body !== undefined && typeof init.body !== 'string';
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(json ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: json ? JSON.stringify(init.body) : (init.body as string) }),
    });
    await expectReplyContract(method, path, response);
    return response;
  };
  return { url: server.url, jobs, batches, gateway, queue, clusters, notifier, log, catalog, call };
}

/** Reads an error response and checks it has exactly the contract's shape. */
export async function errorOf(response: Response): Promise<ErrorShape> {
  return errorShapeOf(await response.text());
}
