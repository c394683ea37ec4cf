import { describe, expect, it } from 'vitest';
import type { ClusterClient, ClusterGateway, ClusterRecord } from '#shared/ports.ts';
import { testCatalog } from '#test/fakes/catalog.ts';
import { FakeClock } from '#test/fakes/clock.ts';
import { FakeCluster, FakeClusterGateway } from '#test/fakes/cluster.ts';
import { healthyClusterState } from '#test/fakes/cluster-state.ts';
import { RecordingLog } from '#test/fakes/log.ts';
import { makeFleetStatus } from '#usecases/fleet-status.ts';

const OPTIONS = { concurrency: 3, maxAgeSeconds: 30, readTimeoutMs: 2_000 };

function fleet(count: number, clock: FakeClock) {
  const gateway = new FakeClusterGateway();
  const records: ClusterRecord[] = [];
  for (let i = 0; i < count; i++) {
    const name = `c-${i}`;
    gateway.add(new FakeCluster(name, healthyClusterState({ installed: '4.0.3', now: clock.now() })));
    records.push({ name, labels: {}, platformVersion: '3.18.0' });
  }
  return { gateway, records };
}

/** A gateway whose clusters answer only when released, counting the reads in flight. */
function heldGateway(inner: ClusterGateway) {
  let inFlight = 0;
  let peak = 0;
  const waiting: (() => void)[] = [];
  const gateway: ClusterGateway = {
    async forCluster(record) {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise<void>((release) => waiting.push(release));
      inFlight -= 1;
      return inner.forCluster(record);
    },
  };
  const releaseAll = () => {
    for (const release of waiting.splice(0)) release();
  };
  return { gateway, peak: () => peak, releaseAll };
}

const deps = (gateway: ClusterGateway, clock: FakeClock) => ({
  gateway,
  clock,
  catalog: testCatalog(),
  log: new RecordingLog(),
});

describe('fleet status', () => {
  it('reads every cluster with at most `concurrency` reads at once', async () => {
    const clock = new FakeClock();
    const { gateway, records } = fleet(10, clock);
    const held = heldGateway(gateway);
    const status = makeFleetStatus(deps(held.gateway, clock), OPTIONS);

    const pending = status(records);
    for (let round = 0; round < 10; round++) {
      await new Promise((tick) => setTimeout(tick, 5));
      held.releaseAll();
    }
    const result = await pending;

    expect(held.peak()).toBe(3);
    expect([...result.values()].map((s) => s.installedVersion)).toEqual(Array(10).fill('4.0.3'));
  });

  it('serves a cached reading with its age, and reads again once it is older than maxAgeSeconds', async () => {
    const clock = new FakeClock();
    const { gateway, records } = fleet(1, clock);
    const cluster = gateway.clusters.get('c-0') as FakeCluster;
    const status = makeFleetStatus(deps(gateway, clock), OPTIONS);

    const first = await status(records);
    const [orders] = cluster.state.instances;
    if (orders) Object.assign(orders, { healthy: false, status: 'Error' });
    clock.advance(20);
    const cached = await status(records);
    clock.advance(15);
    const reread = await status(records);

    expect(first.get('c-0')).toMatchObject({ health: 'healthy', ageSeconds: 0 });
    expect(cached.get('c-0')).toMatchObject({ health: 'healthy', ageSeconds: 20 });
    expect(reread.get('c-0')).toMatchObject({ health: 'unhealthy', ageSeconds: 0 });
    expect(reread.get('c-0')?.problems).toEqual(['Redis cache/orders is Error']);
    expect(cluster.calls.readSubscription).toBe(2);
  });

  it('reads a re-registered cluster again at once', async () => {
    const clock = new FakeClock();
    const { gateway, records } = fleet(1, clock);
    const status = makeFleetStatus(deps(gateway, clock), OPTIONS);

    await status(records);
    const result = await status([{ name: 'c-0', labels: {}, platformVersion: '3.20.0' }]);

    expect(result.get('c-0')?.platformVersion).toBe('3.20.0');
    expect(gateway.clusters.get('c-0')?.calls.readSubscription).toBe(2);
  });

  it('reads one cluster once for concurrent callers', async () => {
    const clock = new FakeClock();
    const { gateway, records } = fleet(2, clock);
    const status = makeFleetStatus(deps(gateway, clock), OPTIONS);

    await Promise.all([status(records), status(records), status(records)]);

    expect(gateway.clusters.get('c-1')?.calls.readSubscription).toBe(1);
  });

  it('marks a cluster whose read fails, or does not answer in time, unreachable with the reason', async () => {
    const clock = new FakeClock();
    const { gateway, records } = fleet(3, clock);
    (gateway.clusters.get('c-0') as FakeCluster).failNext(
      'listRedisInstances',
      new Error('connect ECONNREFUSED'),
    );
    const silent: ClusterGateway = {
      forCluster: (record) =>
        record.name === 'c-1' ? new Promise<ClusterClient>(() => {}) : gateway.forCluster(record),
    };
    const status = makeFleetStatus(deps(silent, clock), { ...OPTIONS, readTimeoutMs: 50 });

    const result = await status(records);

    expect(result.get('c-0')).toMatchObject({ health: 'unreachable', problems: ['connect ECONNREFUSED'] });
    expect(result.get('c-1')).toMatchObject({ health: 'unreachable', problems: ['no answer within 0.05s'] });
    expect(result.get('c-2')).toMatchObject({ health: 'healthy' });
  });

  it('changes nothing on the clusters it reads', async () => {
    const clock = new FakeClock();
    const { gateway, records } = fleet(2, clock);

    await makeFleetStatus(deps(gateway, clock), OPTIONS)(records);

    expect([...gateway.clusters.values()].flatMap((cluster) => cluster.writes)).toEqual([]);
  });
});
