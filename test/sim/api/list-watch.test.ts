import { CoreV1Api, CustomObjectsApi, makeInformer, Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBSCRIPTION } from '#sim/resource-types.ts';
import { expectStatus, type SimApi, startSimApi, subscription } from '#test/sim/api/sim-api-fixture.ts';

const SUB = { group: 'operators.coreos.com', version: 'v1alpha1', plural: 'subscriptions' };
const SUB_PATH = '/apis/operators.coreos.com/v1alpha1/namespaces/redis-system/subscriptions';

type Obj = { metadata: { name: string; resourceVersion: string } };
type List = {
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: Obj[];
};

let sim: SimApi;
let custom: CustomObjectsApi;
let core: CoreV1Api;

interface Seen {
  type: string;
  name: string;
  code?: number;
}

/** Starts a client-node watch and collects what it sees until `stop`. */
async function watchInto(cluster: string, path: string, query: Record<string, string | undefined>) {
  const seen: Seen[] = [];
  const ended: { error?: unknown; done: boolean } = { done: false };
  const controller = await new Watch(sim.kubeConfig(cluster)).watch(
    path,
    query,
    (type, obj: { metadata?: { name: string }; code?: number }) =>
      seen.push({ type, name: obj.metadata?.name ?? '', ...(obj.code ? { code: obj.code } : {}) }),
    (error) => {
      ended.done = true;
      ended.error = error;
    },
  );
  return { seen, ended, stop: () => controller.abort() };
}

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

beforeAll(async () => {
  sim = await startSimApi([{ name: 'lists' }, { name: 'small', store: { historyLimit: 3 } }]);
  custom = sim.kubeConfig('lists').makeApiClient(CustomObjectsApi);
  core = sim.kubeConfig('lists').makeApiClient(CoreV1Api);
});
afterAll(() => sim.close());

describe('list', () => {
  it('pages with limit and an opaque continue token, keeping the first page resourceVersion', async () => {
    // Prepare
    for (let i = 0; i < 7; i++) {
      await core.createNamespacedConfigMap({ namespace: 'paging', body: { metadata: { name: `cm-${i}` } } });
    }

    // Act
    const first = await core.listNamespacedConfigMap({ namespace: 'paging', limit: 3 });
    const second = await core.listNamespacedConfigMap({
      namespace: 'paging',
      limit: 3,
      _continue: first.metadata?._continue,
    });
    const third = await core.listNamespacedConfigMap({
      namespace: 'paging',
      limit: 3,
      _continue: second.metadata?._continue,
    });
    const badToken = await expectStatus(() =>
      core.listNamespacedConfigMap({ namespace: 'paging', _continue: 'garbage' }),
    );

    // Assess
    const names = [first, second, third].map((page) => page.items.map((i) => i.metadata?.name));
    expect(names).toEqual([['cm-0', 'cm-1', 'cm-2'], ['cm-3', 'cm-4', 'cm-5'], ['cm-6']]);
    expect(first.metadata?.remainingItemCount).toBe(4);
    expect(third.metadata?._continue).toBeUndefined();
    expect(second.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
    expect(badToken.code).toBe(400);
  });

  it('filters with label selectors (=, ==, !=, in, notin, exists, !key) and field selectors', async () => {
    // Prepare
    const labels: Record<string, Record<string, string>> = {
      a: { tier: 'gold', region: 'east' },
      b: { tier: 'silver', region: 'west' },
      c: { tier: 'bronze' },
    };
    for (const [name, l] of Object.entries(labels)) {
      await custom.createNamespacedCustomObject({
        ...SUB,
        namespace: 'labels',
        body: { ...subscription(name, {}, l), metadata: { name, namespace: 'labels', labels: l } },
      });
    }
    const names = async (query: { labelSelector?: string; fieldSelector?: string }) =>
      (
        (await custom.listNamespacedCustomObject({ ...SUB, namespace: 'labels', ...query })) as List
      ).items.map((i) => i.metadata.name);

    // Act
    const results = {
      eq: await names({ labelSelector: 'tier=gold' }),
      eqeq: await names({ labelSelector: 'tier==silver' }),
      ne: await names({ labelSelector: 'tier!=gold' }),
      in: await names({ labelSelector: 'tier in (gold, bronze)' }),
      notin: await names({ labelSelector: 'tier notin (gold,bronze)' }),
      exists: await names({ labelSelector: 'region' }),
      absent: await names({ labelSelector: '!region' }),
      combined: await names({ labelSelector: 'region,tier!=silver' }),
      field: await names({ fieldSelector: 'metadata.name=b' }),
      fieldNe: await names({ fieldSelector: 'metadata.name!=b,metadata.namespace=labels' }),
    };
    const badSelector = await expectStatus(() => names({ labelSelector: 'tier in gold' }));
    const badField = await expectStatus(() => names({ fieldSelector: 'spec.channel=stable' }));

    // Assess
    expect(results).toEqual({
      eq: ['a'],
      eqeq: ['b'],
      ne: ['b', 'c'],
      in: ['a', 'c'],
      notin: ['b'],
      exists: ['a', 'b'],
      absent: ['c'],
      combined: ['a'],
      field: ['b'],
      fieldNe: ['a', 'c'],
    });
    expect(badSelector.code).toBe(400);
    expect(badField).toMatchObject({ code: 400, message: 'field label not supported: spec.channel' });
  });

  it('lists one namespace or all namespaces', async () => {
    // Prepare
    await custom.createNamespacedCustomObject({
      ...SUB,
      namespace: 'ns-one',
      body: { ...subscription('x'), metadata: { name: 'x', namespace: 'ns-one' } },
    });
    await custom.createNamespacedCustomObject({
      ...SUB,
      namespace: 'ns-two',
      body: { ...subscription('x'), metadata: { name: 'x', namespace: 'ns-two' } },
    });

    // Act
    const one = (await custom.listNamespacedCustomObject({ ...SUB, namespace: 'ns-one' })) as List;
    const all = (await custom.listCustomObjectForAllNamespaces({
      group: SUB.group,
      version: SUB.version,
      resourcePlural: SUB.plural,
      fieldSelector: 'metadata.name=x',
    })) as List & { kind: string };

    // Assess
    expect(one.items).toHaveLength(1);
    expect(all.kind).toBe('SubscriptionList');
    expect(all.items.map((i) => (i.metadata as { namespace?: string }).namespace)).toEqual([
      'ns-one',
      'ns-two',
    ]);
  });
});

describe('watch', () => {
  it('streams ADDED, MODIFIED and DELETED to a client-node Watch as they happen', async () => {
    // Prepare
    const listed = (await custom.listNamespacedCustomObject({ ...SUB, namespace: 'redis-system' })) as List;
    const watch = await watchInto('lists', SUB_PATH, { resourceVersion: listed.metadata.resourceVersion });

    // Act
    await custom.createNamespacedCustomObject({
      ...SUB,
      namespace: 'redis-system',
      body: subscription('w1'),
    });
    await custom.patchNamespacedCustomObject({
      ...SUB,
      namespace: 'redis-system',
      name: 'w1',
      body: [{ op: 'add', path: '/spec/channel', value: 'v4' }],
    });
    await custom.deleteNamespacedCustomObject({ ...SUB, namespace: 'redis-system', name: 'w1' });
    await until(() => watch.seen.length >= 3);
    watch.stop();

    // Assess
    expect(watch.seen).toEqual([
      { type: 'ADDED', name: 'w1' },
      { type: 'MODIFIED', name: 'w1' },
      { type: 'DELETED', name: 'w1' },
    ]);
  });

  it('resumes from a resourceVersion, replaying only what happened after it', async () => {
    // Prepare
    const a = (await custom.createNamespacedCustomObject({
      ...SUB,
      namespace: 'resume',
      body: { ...subscription('r1'), metadata: { name: 'r1', namespace: 'resume' } },
    })) as Obj;
    await custom.createNamespacedCustomObject({
      ...SUB,
      namespace: 'resume',
      body: { ...subscription('r2'), metadata: { name: 'r2', namespace: 'resume' } },
    });

    // Act
    const resumed = await watchInto(
      'lists',
      '/apis/operators.coreos.com/v1alpha1/namespaces/resume/subscriptions',
      {
        resourceVersion: a.metadata.resourceVersion,
      },
    );
    const fresh = await watchInto(
      'lists',
      '/apis/operators.coreos.com/v1alpha1/namespaces/resume/subscriptions',
      {},
    );
    await until(() => resumed.seen.length >= 1 && fresh.seen.length >= 2);
    resumed.stop();
    fresh.stop();

    // Assess
    expect(resumed.seen).toEqual([{ type: 'ADDED', name: 'r2' }]);
    expect(fresh.seen).toEqual([
      { type: 'ADDED', name: 'r1' },
      { type: 'ADDED', name: 'r2' },
    ]);
  });

  it('reports a label-selector watch leaving the selector as DELETED', async () => {
    // Prepare
    const created = (await custom.createNamespacedCustomObject({
      ...SUB,
      namespace: 'sel',
      body: { ...subscription('s1'), metadata: { name: 's1', namespace: 'sel', labels: { pick: 'yes' } } },
    })) as Obj;
    const watch = await watchInto(
      'lists',
      '/apis/operators.coreos.com/v1alpha1/namespaces/sel/subscriptions',
      {
        resourceVersion: created.metadata.resourceVersion,
        labelSelector: 'pick=yes',
      },
    );

    // Act
    await custom.patchNamespacedCustomObject({
      ...SUB,
      namespace: 'sel',
      name: 's1',
      body: [{ op: 'replace', path: '/metadata/labels/pick', value: 'no' }],
    });
    await until(() => watch.seen.length >= 1);
    watch.stop();

    // Assess
    expect(watch.seen).toEqual([{ type: 'DELETED', name: 's1' }]);
  });

  it('answers a resourceVersion older than the kept history with an ERROR event carrying 410 Expired', async () => {
    // Prepare
    const store = sim.store('small');
    const first = store.create(SUBSCRIPTION, subscription('h0'));
    for (let i = 1; i <= 5; i++) store.create(SUBSCRIPTION, subscription(`h${i}`));

    // Act
    const watch = await watchInto('small', SUB_PATH, { resourceVersion: first.metadata.resourceVersion });
    await until(() => watch.ended.done);

    // Assess
    expect(watch.seen).toEqual([{ type: 'ERROR', name: '', code: 410 }]);
  });

  it('keeps a client-node informer (list + watch) in sync with the cluster', async () => {
    // Prepare
    const informer = makeInformer(
      sim.kubeConfig('lists'),
      '/apis/operators.coreos.com/v1alpha1/namespaces/inf/subscriptions',
      () => custom.listNamespacedCustomObject({ ...SUB, namespace: 'inf' }),
    );
    await custom.createNamespacedCustomObject({
      ...SUB,
      namespace: 'inf',
      body: { ...subscription('i1'), metadata: { name: 'i1', namespace: 'inf' } },
    });
    await informer.start();

    // Act
    await custom.createNamespacedCustomObject({
      ...SUB,
      namespace: 'inf',
      body: { ...subscription('i2'), metadata: { name: 'i2', namespace: 'inf' } },
    });
    await custom.deleteNamespacedCustomObject({ ...SUB, namespace: 'inf', name: 'i1' });
    await until(
      () =>
        informer
          .list('inf')
          .map((o) => o.metadata?.name)
          .join() === 'i2',
    );
    await informer.stop();

    // Assess
    expect(informer.list('inf').map((o) => o.metadata?.name)).toEqual(['i2']);
  });
});
