import { describe, expect, it } from 'vitest';
import { CONFIG_MAP, INSTALL_PLAN, SUBSCRIPTION } from '#sim/resource-types.ts';
import { SimApiError } from '#sim/store/api-error.ts';
import { ClusterStore, type StoreEvent } from '#sim/store/cluster-store.ts';
import { subscription } from '#test/sim/api/sim-api-fixture.ts';

// The store contract the controllers build on (SIM-CONTRACT.md), checked directly.

function configMap(name: string, data: Record<string, string> = {}) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data };
}

describe('ClusterStore', () => {
  it('delivers writes made inside a listener after the current event, in resourceVersion order', () => {
    // Prepare
    const store = new ClusterStore('order');
    const seen: string[][] = [[], []];
    store.subscribe((e) => {
      seen[0]?.push(`${e.type} ${e.object.metadata.name} ${e.object.metadata.resourceVersion}`);
      if (e.object.metadata.name === 'first') store.create(CONFIG_MAP, configMap('second'));
    });
    store.subscribe((e) =>
      seen[1]?.push(`${e.type} ${e.object.metadata.name} ${e.object.metadata.resourceVersion}`),
    );

    // Act
    store.create(CONFIG_MAP, configMap('first'));

    // Assess
    expect(seen[0]).toEqual(['ADDED first 2', 'ADDED second 3']);
    expect(seen[1]).toEqual(seen[0]);
  });

  it('notifies a listener subscribed to one resource type of writes to that type only', () => {
    // Prepare
    const store = new ClusterStore('only');
    const seen: string[] = [];
    store.subscribe((e) => seen.push(`${e.resource.kind} ${e.object.metadata.name}`), SUBSCRIPTION);

    // Act
    store.create(CONFIG_MAP, configMap('map'));
    store.create(SUBSCRIPTION, subscription('sub'));

    // Assess
    expect(seen).toEqual(['Subscription sub']);
  });

  it('writes nothing for a no-op update and bumps generation only for spec changes', () => {
    // Prepare
    const store = new ClusterStore('noop');
    const events: StoreEvent[] = [];
    const created = store.create(SUBSCRIPTION, subscription('s'));
    store.subscribe((e) => events.push(e));

    // Act
    const same = store.update(SUBSCRIPTION, created);
    const labelled = store.update(SUBSCRIPTION, {
      ...same,
      metadata: { ...same.metadata, labels: { a: 'b' } },
    });
    const respec = store.update(SUBSCRIPTION, {
      ...labelled,
      spec: { ...(labelled.spec as object), channel: 'v4' },
    });

    // Assess
    expect(same.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    expect(labelled.metadata.generation).toBe(1);
    expect(respec.metadata.generation).toBe(2);
    expect(events.map((e) => e.type)).toEqual(['MODIFIED', 'MODIFIED']);
  });

  it('names objects from generateName and validates names', () => {
    // Prepare
    const store = new ClusterStore('names');
    const plan = {
      apiVersion: 'operators.coreos.com/v1alpha1',
      kind: 'InstallPlan',
      metadata: { generateName: 'install-', namespace: 'redis-system', name: '' },
      spec: { approval: 'Manual', approved: false, clusterServiceVersionNames: ['redis-operator.v4.0.3'] },
    };

    // Act
    const created = store.create(INSTALL_PLAN, plan);
    let refused: unknown;
    try {
      store.create(CONFIG_MAP, configMap('Not_A_Name'));
    } catch (error) {
      refused = error;
    }

    // Assess
    expect(created.metadata.name).toMatch(/^install-[a-z0-9]{5}$/);
    expect(refused).toBeInstanceOf(SimApiError);
    expect((refused as SimApiError).status.message).toContain('metadata.name: Invalid value: "Not_A_Name"');
  });

  it('holds a finalized object until its finalizers are removed', () => {
    // Prepare
    const store = new ClusterStore('finalizers');
    const created = store.create(CONFIG_MAP, {
      ...configMap('held'),
      metadata: { name: 'held', namespace: 'default', finalizers: ['x'] },
    });

    // Act
    const marked = store.delete(CONFIG_MAP, 'default', 'held');
    const stillThere = store.get(CONFIG_MAP, 'default', 'held');
    store.update(CONFIG_MAP, { ...marked, metadata: { ...marked.metadata, finalizers: [] } });

    // Assess
    expect(created.metadata.deletionTimestamp).toBeUndefined();
    expect(stillThere?.metadata.deletionTimestamp).toBeDefined();
    expect(store.get(CONFIG_MAP, 'default', 'held')).toBeUndefined();
  });

  it('caps the watch history by bytes, expiring resumes from before the cap', () => {
    // Prepare
    const store = new ClusterStore('bytes', { historyBytes: 2_000 });
    const first = store.create(CONFIG_MAP, configMap('big-0', { blob: 'x'.repeat(900) }));
    for (let i = 1; i < 5; i++) store.create(CONFIG_MAP, configMap(`big-${i}`, { blob: 'x'.repeat(900) }));
    const latest = store.resourceVersion;

    // Act
    const resumeOld = () =>
      store.watchJson(CONFIG_MAP, { resourceVersion: first.metadata.resourceVersion }, () => {});
    const resumeNew = store.watchJson(CONFIG_MAP, { resourceVersion: String(Number(latest) - 1) }, () => {});

    // Assess
    expect(resumeOld).toThrow(/too old resource version/);
    expect(typeof resumeNew).toBe('function');
  });
});
