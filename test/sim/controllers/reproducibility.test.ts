import { describe, expect, it } from 'vitest';
import { CSV } from '#sim/resource-types.ts';
import {
  approve,
  clusterSpec,
  pendingPlan,
  phaseOf,
  runCluster,
  uploadVersion,
  waitFor,
} from '#test/sim/controllers/controller-fixture.ts';

/**
 * The sequence of writes a watcher sees during an upgrade, without uids/timestamps. Names the
 * apiserver generates are random, as on a real cluster (InstallPlans' `install-<random>`, Events'
 * `<object>.<time>`): they are compared by order of first appearance.
 */
async function upgradeTrace(): Promise<string[]> {
  const cluster = runCluster(clusterSpec({ traps: { mergedPlan: true } }));
  const trace: string[] = [];
  const generated = new Map<string, string>();
  const nameOf = (kind: string, name: string) => {
    if (kind !== 'InstallPlan' && kind !== 'Event') return name;
    if (!generated.has(name)) generated.set(name, `${kind}#${generated.size + 1}`);
    return generated.get(name);
  };
  cluster.store.subscribe(({ type, resource, object }) => {
    const status = (object.status ?? {}) as {
      phase?: string;
      state?: string;
      condition?: string;
      status?: string;
    };
    const state = status.phase ?? status.state ?? status.condition ?? status.status ?? '';
    const name = nameOf(resource.kind, object.metadata.name);
    trace.push(`${type} ${resource.kind} ${object.metadata.namespace}/${name} ${state}`);
  });
  try {
    uploadVersion(cluster.store, '3.18.2');
    approve(cluster.store, await pendingPlan(cluster.store));
    await waitFor(
      () => cluster.store.get(CSV, 'redis-system', 'redis-operator.v3.16.2') === undefined,
      'upgrade done',
    );
    await waitFor(
      () => phaseOf(cluster.store.get(CSV, 'redis-system', 'middleware-exporter.v1.5.0')) === 'Succeeded',
      'exporter',
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(cluster.errors).toEqual([]);
    return trace;
  } finally {
    cluster.stop();
  }
}

describe('controller reproducibility', () => {
  it('produces the same writes, in the same order, with the same names (up to generated ones) on every run', async () => {
    // Act
    const first = await upgradeTrace();
    const second = await upgradeTrace();

    // Assess
    expect(first.length).toBeGreaterThan(20);
    expect(second).toEqual(first);
  });
});
