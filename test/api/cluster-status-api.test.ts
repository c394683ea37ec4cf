import { describe, expect, it } from 'vitest';
import { FakeClock } from '#test/fakes/clock.ts';
import { FakeCluster, FakeClusterGateway } from '#test/fakes/cluster.ts';
import { healthyClusterState } from '#test/fakes/cluster-state.ts';
import { errorOf, startApi } from './support/api-server.ts';

function gatewayWithRegion1(clock: FakeClock) {
  const gateway = new FakeClusterGateway();
  const region1 = gateway.add(
    new FakeCluster('region1', healthyClusterState({ installed: '4.0.3', now: clock.now() })),
  );
  return { gateway, region1 };
}

describe('GET /clusters?include=status', () => {
  it("adds each cluster's operator version and health, read from the cluster, with its age", async () => {
    const clock = new FakeClock();
    const { gateway } = gatewayWithRegion1(clock);
    const api = await startApi({ gateway, clock });

    const response = await api.call('GET', '/clusters?include=status');

    expect(response.status).toBe(200);
    const { items } = (await response.json()) as { items: Record<string, unknown>[] };
    expect(items).toEqual([
      {
        name: 'region1',
        context: 'region1',
        labels: { env: 'prod' },
        platformVersion: '3.18.2',
        status: {
          health: 'healthy',
          installedVersion: '4.0.3',
          platformVersion: '3.18.2',
          subscriptionState: 'AtLatestKnown',
          instances: { total: 4, ready: 4 },
          problems: [],
          readAt: clock.now().toISOString(),
          ageSeconds: 0,
        },
      },
      {
        name: 'region2',
        labels: {},
        status: expect.objectContaining({
          health: 'unreachable',
          problems: ['no fake cluster named region2'],
        }),
      },
    ]);
  });

  it('answers from its cache until the reading is stale, saying how old it is', async () => {
    const clock = new FakeClock();
    const { gateway, region1 } = gatewayWithRegion1(clock);
    const api = await startApi({ gateway, clock });

    await api.call('GET', '/clusters?include=status');
    clock.advance(12);
    const { items } = (await (await api.call('GET', '/clusters?include=status')).json()) as {
      items: { status: { ageSeconds: number } }[];
    };

    expect(items[0]?.status.ageSeconds).toBe(12);
    expect(region1.calls.readSubscription).toBe(1);
  });

  it('reads no cluster without include=status', async () => {
    const clock = new FakeClock();
    const { gateway, region1 } = gatewayWithRegion1(clock);
    const api = await startApi({ gateway, clock });

    const { items } = (await (await api.call('GET', '/clusters')).json()) as { items: object[] };

    expect(items[0]).not.toHaveProperty('status');
    expect(region1.calls.readSubscription).toBeUndefined();
  });

  it('lists only the clusters a label selector matches, and reads only those', async () => {
    const clock = new FakeClock();
    const { gateway, region1 } = gatewayWithRegion1(clock);
    const api = await startApi({ gateway, clock });

    const matched = await api.call('GET', `/clusters?include=status&selector=${encodeURIComponent('!env')}`);
    const prod = await api.call('GET', `/clusters?selector=${encodeURIComponent('env in (prod,stage)')}`);

    expect(((await matched.json()) as { items: { name: string }[] }).items.map((c) => c.name)).toEqual([
      'region2',
    ]);
    expect(((await prod.json()) as { items: { name: string }[] }).items.map((c) => c.name)).toEqual([
      'region1',
    ]);
    expect(region1.calls.readSubscription).toBeUndefined();
  });

  it.each([['include=everything'], ['verbose=true'], ['selector=env%20in%20prod']])(
    'refuses ?%s with 400',
    async (query) => {
      const api = await startApi();

      const response = await api.call('GET', `/clusters?${query}`);

      expect(response.status).toBe(400);
      expect((await errorOf(response)).message).toMatch(/^query[.:]/);
    },
  );
});
