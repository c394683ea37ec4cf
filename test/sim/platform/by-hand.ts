/**
 * What an operator's own scripts would use against the simulator: client-node from the fleet's
 * kubeconfig, retries on 429/5xx/409 honouring Retry-After (p-retry), polling, and the violet
 * shim run as a child process with the machine's old node first in PATH.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ApiException, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import pRetry from 'p-retry';
import { stringify } from 'yaml';
import { fetchTrusting } from '#adapters/local/fetch-trusting.ts';
import type { Fleet } from '#sim/fleet.ts';

export const VIOLET = resolve(import.meta.dirname, '../../../sim/bin/violet');
export const PACKAGES = resolve(import.meta.dirname, '../../../examples/packages');

export function kubeConfigFor(fleet: Fleet, context: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(stringify(fleet.kubeconfig));
  kc.setCurrentContext(context);
  return kc;
}

export function customObjects(fleet: Fleet, context: string): CustomObjectsApi {
  return kubeConfigFor(fleet, context).makeApiClient(CustomObjectsApi);
}

/** fetch as a client holding the fleet's CA would (the platforms serve HTTPS). */
export function fleetFetch(fleet: { certificateAuthority: string | undefined }): typeof fetch {
  return fleet.certificateAuthority ? fetchTrusting(fleet.certificateAuthority) : fetch;
}

const RETRYABLE = new Set([409, 429, 500, 502, 503, 504]);

/** HTTP statuses that were retried through, for tests that want to see the faults happen. */
export type RetryLog = number[];

export function withRetries<T>(call: () => Promise<T>, log: RetryLog = []): Promise<T> {
  return pRetry(call, {
    retries: 10,
    minTimeout: 5,
    maxTimeout: 50,
    shouldRetry: ({ error }) => error instanceof ApiException && RETRYABLE.has(error.code),
    onFailedAttempt: async ({ error }) => {
      if (!(error instanceof ApiException)) return;
      log.push(error.code);
      const retryAfter = Number(error.headers?.['retry-after'] ?? 0);
      if (retryAfter > 0) await new Promise((done) => setTimeout(done, retryAfter * 1000));
    },
  });
}

/** Polls until `read` yields a value `done` accepts; fails naming what it waited for. */
export async function waitFor<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 4000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (done(last)) return last;
    await new Promise((wake) => setTimeout(wake, 25));
  }
  throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last)}`);
}

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the violet shim with the system's node (v20) first in PATH, as a product process might;
 * `ca` (PEM) is the platform's CA, handed over as an SSL_CERT_FILE.
 */
export async function violet(args: string[], ca?: string): Promise<ProcessResult> {
  const dir = ca ? await mkdtemp(join(tmpdir(), 'violet-ca-')) : undefined;
  const caFile = dir && join(dir, 'ca.crt');
  if (caFile) await writeFile(caFile, ca as string);
  try {
    return await new Promise((done) => {
      execFile(
        VIOLET,
        args,
        {
          env: {
            PATH: '/usr/bin:/bin',
            HOME: process.env.HOME ?? '/tmp',
            ...(caFile ? { SSL_CERT_FILE: caFile } : {}),
          },
        },
        (error, stdout, stderr) => {
          done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
        },
      );
    });
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

/** An HTTP status, or the network error code when no answer came (ECONNREFUSED). */
export type Answer = number | string;

/** The network error's code (ECONNREFUSED), from client-node's or fetch's error or node's own. */
export function networkCode(error: unknown): string {
  const e = error as { code?: unknown; cause?: { code?: string } };
  return e.cause?.code ?? (typeof e.code === 'string' ? e.code : String(error));
}

/**
 * One request on a fresh connection, as a client that holds none open (one still holding a
 * keep-alive connection to a platform that went down may first see that connection reset).
 * An https URL is verified against `ca`.
 */
export function probe(
  url: string,
  token: string,
  options: { method?: string; body?: Buffer; ca?: string | undefined } = {},
): Promise<Answer> {
  return new Promise((done) => {
    const headers = { Authorization: `Bearer ${token}` };
    const send = url.startsWith('https:') ? httpsRequest : request;
    const tls = options.ca ? { ca: options.ca } : {};
    const req = send(url, { agent: false, method: options.method ?? 'GET', headers, ...tls }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode as number));
    });
    req.on('error', (error) => done(networkCode(error)));
    req.end(options.body);
  });
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}
