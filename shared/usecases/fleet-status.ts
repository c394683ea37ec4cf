/**
 * The fleet's health for `GET /clusters?include=status`: each cluster read (Subscription, its
 * installed CSV, Redis instances, platform version) with at most `concurrency` reads at once, so
 * a fleet of thousands neither floods the platforms nor the API's sockets, and each reading
 * cached for `maxAgeSeconds`, so a console polling every few seconds reads each cluster at most
 * once per period. Every status says how old it is. A read that fails or outlasts
 * `readTimeoutMs` makes the cluster `unreachable` with the reason; the cached failure is retried
 * after the same period. Only reads: nothing here changes a cluster.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import type { Catalog } from '#domain/catalog.ts';
import {
  type ClusterHealth,
  type ClusterReading,
  clusterHealth,
  unreachableCluster,
} from '#domain/cluster-health.ts';
import { NotFoundError } from '#domain/errors.ts';
import type { Clock, ClusterClient, ClusterGateway, ClusterRecord, Log } from '#shared/ports.ts';

export interface FleetStatusDeps {
  gateway: ClusterGateway;
  clock: Clock;
  /** Read on every call, so a runtime may expose a reloadable catalog through a getter. */
  catalog: Catalog;
  log: Log;
}

export interface FleetStatusOptions {
  concurrency: number;
  maxAgeSeconds: number;
  readTimeoutMs: number;
}

export const FLEET_STATUS_DEFAULTS: FleetStatusOptions = {
  concurrency: 8,
  maxAgeSeconds: 30,
  readTimeoutMs: 10_000,
};

export interface ClusterStatus extends ClusterHealth {
  readAt: string;
  ageSeconds: number;
}

interface Reading {
  /** The record the reading was made with: a re-registered cluster is read again. */
  key: string;
  health: ClusterHealth;
  readAt: Date;
}

export type FleetStatus = (records: readonly ClusterRecord[]) => Promise<Map<string, ClusterStatus>>;

async function readCluster(client: ClusterClient, record: ClusterRecord): Promise<ClusterReading> {
  const subscription = await client.readSubscription().catch((error: unknown) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
  const installed = subscription?.installedCSV;
  const [csv, instances, platformVersion] = await Promise.all([
    installed ? client.readCsv(installed) : undefined,
    client.listRedisInstances(),
    record.platformVersion ?? client.readPlatformVersion(),
  ]);
  return {
    instances,
    ...(subscription ? { subscription } : {}),
    ...(csv ? { csv } : {}),
    ...(platformVersion ? { platformVersion } : {}),
  };
}

export function makeFleetStatus(deps: FleetStatusDeps, options = FLEET_STATUS_DEFAULTS): FleetStatus {
  const limit = pLimit(options.concurrency);
  const cache = new Map<string, Reading>();
  const reading = new Map<string, Promise<Reading>>();

  const timedOut = async (signal: AbortSignal): Promise<ClusterHealth> => {
    await sleep(options.readTimeoutMs, undefined, { signal });
    return unreachableCluster(`no answer within ${options.readTimeoutMs / 1000}s`);
  };

  const read = async (record: ClusterRecord, key: string): Promise<Reading> => {
    const stop = new AbortController();
    const attempt = (async () => {
      const client = await deps.gateway.forCluster(record);
      return clusterHealth(await readCluster(client, record), deps.catalog.package);
    })().catch((error: unknown) => {
      deps.log.warn('cluster status read failed', { cluster: record.name, error: String(error) });
      return unreachableCluster((error as Error).message ?? String(error));
    });
    const health = await Promise.race([attempt, timedOut(stop.signal).catch(() => attempt)]);
    stop.abort();
    return { key, health, readAt: deps.clock.now() };
  };

  const fresh = (record: ClusterRecord): Promise<Reading> => {
    const key = JSON.stringify(record);
    const cached = cache.get(record.name);
    const age = cached ? deps.clock.now().getTime() - cached.readAt.getTime() : Infinity;
    if (cached && cached.key === key && age < options.maxAgeSeconds * 1000) return Promise.resolve(cached);
    const running = reading.get(record.name);
    if (running) return running;
    const started = limit(() => read(record, key)).then((made) => {
      cache.set(record.name, made);
      return made;
    });
    reading.set(record.name, started);
    void started.finally(() => reading.delete(record.name));
    return started;
  };

  return async (records) => {
    const names = new Set(records.map((record) => record.name));
    for (const name of cache.keys()) if (!names.has(name)) cache.delete(name);
    const readings = await Promise.all(records.map(fresh));
    const now = deps.clock.now().getTime();
    return new Map(
      readings.map((made, i) => [
        records[i]?.name as string,
        {
          ...made.health,
          readAt: made.readAt.toISOString(),
          ageSeconds: Math.max(0, Math.floor((now - made.readAt.getTime()) / 1000)),
        },
      ]),
    );
  };
}
