/**
 * KubeClusterClient.watchUntil when the server ends its streams: against a plain HTTP stub that
 * scripts each watch response. A stream ended after it lasted (the server's timeout) is watched
 * again at once; a server or proxy that ends every stream at once is not hammered: the watch
 * fails after a few, and the waker polls that cluster instead. A 410 "too old resource version"
 * is the Kubernetes contract's "list again and watch again", which a watch without a
 * resourceVersion is: it watches again instead of failing.
 */
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClusterClient } from '#adapters/kube/kube-cluster-client.ts';
import { DEFAULT_CLIENT_OPTIONS } from '#adapters/kube/kube-cluster-gateway.ts';
import { FAST_RETRY } from './support/kube-sim.ts';

const CSV = 'redis-operator.v4.0.3';
const WAIT = { kind: 'csv-settled', csv: CSV } as const;

const csvEvent = (type: string, phase: string) =>
  `${JSON.stringify({ type, object: { metadata: { name: CSV }, status: { phase } } })}\n`;
const errorEvent = (code: number, reason: string, message: string) =>
  `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', status: 'Failure', code, reason, message } })}\n`;

/** How the stub answers its nth watch request (from 0); the last script answers every later one. */
type Script = (res: ServerResponse) => void;

interface Stub {
  client: KubeClusterClient;
  /** When each watch request arrived and when its response ended (performance.now()). */
  requests: { at: number; endedAt?: number }[];
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function stub(scripts: Script[]): Promise<Stub> {
  const requests: Stub['requests'] = [];
  const server = createServer((req, res) => {
    const seen = { at: performance.now() } as Stub['requests'][number];
    requests.push(seen);
    res.on('close', () => {
      seen.endedAt = performance.now();
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    (scripts[requests.length - 1] ?? (scripts.at(-1) as Script))(res);
    req.resume();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const client = new KubeClusterClient(
    'east',
    { server: `http://127.0.0.1:${port}`, tls: {}, headers: async () => ({}) },
    { ...DEFAULT_CLIENT_OPTIONS, retry: FAST_RETRY },
  );
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((closed) => server.close(closed));
  });
  return { client, requests };
}

/** The current state, then the end of the response: a proxy that does not stream. */
const endsAtOnce: Script = (res) => res.end(csvEvent('ADDED', 'Installing'));
/** The current state, and the stream held open for `ms` before the server ends it. */
const lasts =
  (ms: number): Script =>
  (res) => {
    res.write(csvEvent('ADDED', 'Installing'));
    setTimeout(() => res.end(), ms).unref();
  };
const settles: Script = (res) => res.write(csvEvent('ADDED', 'Succeeded'));

describe('KubeClusterClient watches the server ends', () => {
  it('gives up on a server that ends every stream at once, after a few requests, instead of hammering it', async () => {
    // Prepare
    const { client, requests } = await stub([endsAtOnce]);
    const controller = new AbortController();
    cleanups.push(async () => controller.abort());
    // Act
    const watched = client.watchUntil(WAIT, controller.signal);
    const outcome = await Promise.race([
      watched.then(
        () => 'resolved',
        (error: Error) => error.message,
      ),
      sleep(500).then(() => 'still watching'),
    ]);
    // Assess
    expect(outcome).toBe(
      'cluster east: watch clusterserviceversions: the server ended 3 streams early in a row',
    );
    expect(requests.length).toBeLessThanOrEqual(3);
  });

  it('watches again at once when a stream that lasted ends, however many early ends came before', async () => {
    // Prepare: two early ends, one stream the server ends after it lasted, two early ends again
    const { client, requests } = await stub([
      endsAtOnce,
      endsAtOnce,
      lasts(1_100),
      endsAtOnce,
      endsAtOnce,
      settles,
    ]);
    // Act
    await client.watchUntil(WAIT, new AbortController().signal);
    // Assess
    expect(requests).toHaveLength(6);
    const [, , lasted, next] = requests;
    expect((next?.at ?? Infinity) - (lasted?.endedAt ?? 0)).toBeLessThan(100);
  });

  it('watches again after a 410 "too old resource version", ending that stream itself', async () => {
    // Prepare: the first stream says Expired and stays open, as a server may leave it
    const { client, requests } = await stub([
      (res) => res.write(errorEvent(410, 'Expired', 'too old resource version: 1 (5123)')),
      settles,
    ]);
    // Act
    const watched = client.watchUntil(WAIT, new AbortController().signal);
    // Assess
    await expect(watched).resolves.toBeUndefined();
    expect(requests).toHaveLength(2);
    expect(requests[0]?.endedAt).toBeDefined();
  });

  it('fails on an ERROR event other than 410, for the waker to poll that cluster', async () => {
    // Prepare
    const { client } = await stub([(res) => res.end(errorEvent(500, 'InternalError', 'etcd unavailable'))]);
    // Act
    const watched = client.watchUntil(WAIT, new AbortController().signal);
    // Assess
    await expect(watched).rejects.toThrow('cluster east: watch clusterserviceversions: 500 etcd unavailable');
  });
});
