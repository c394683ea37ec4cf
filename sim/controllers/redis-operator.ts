/**
 * The Redis operator's side of an operator upgrade: while a new redis-operator CSV that replaces
 * an old one installs, the new operator rolls the instances it manages, so some healthy instances
 * pass through Initializing/WaitingPodReady/Rebalancing and come back upgradeSettleMs after the
 * CSV settled (Succeeded, or Failed and the old operator took over again). Instances that were
 * unhealthy stay so. Which instances flap is fixed (every other healthy one in kind/namespace/name
 * order), so runs are reproducible. Losing a master to the roll, the operator records what it does
 * about it as the real one does: a RedisFailover "try failover as no master found", a
 * DistributedRedisCluster "healed shard <shard> with new master <pod>" (Warning Failover Events).
 */
import type { RedisInstanceKind } from '#sim/cluster-spec.ts';
import type { Controller, ControllerContext } from '#sim/controllers/controller-context.ts';
import { REDIS_OPERATOR_COMPONENT, recordEvent } from '#sim/controllers/events.ts';
import { OPERATOR_NAMESPACE, parseCsvName, REDIS_PACKAGE } from '#sim/controllers/olm-objects.ts';
import {
  INSTANCE_KIND_NAMES,
  INSTANCE_KINDS,
  instanceHealth,
  instancePodNames,
  instanceStatus,
} from '#sim/controllers/redis-objects.ts';
import { sameResource, writeStatus } from '#sim/controllers/store-writes.ts';
import { CSV } from '#sim/resource-types.ts';
import type { KubeObject } from '#sim/store/cluster-store.ts';

interface InstanceRef {
  kind: RedisInstanceKind;
  namespace: string;
  name: string;
}

export function redisOperator(ctx: ControllerContext): Controller {
  const { store } = ctx;
  const upgrading = new Set<string>();
  const flapping: InstanceRef[] = [];
  const settleMs = ctx.spec.upgradeSettleMs ?? ctx.spec.installTimeMs / 2;

  const setState = (ref: InstanceRef, from: 'healthy' | 'transitional', to: 'healthy' | 'transitional') => {
    const type = INSTANCE_KINDS[ref.kind].type;
    const obj = store.get(type, ref.namespace, ref.name);
    // Someone else (a test, a scenario) changed it meanwhile: leave their value alone.
    if (!obj || instanceHealth(ref.kind, obj) !== INSTANCE_KINDS[ref.kind].values[from]) return false;
    writeStatus(store, type, obj, instanceStatus(ref.kind, to, obj.status as Record<string, unknown>));
    return true;
  };

  /** The Failover Events the operator's heal actors record when a restart takes a master away. */
  const failoverMessages = (ref: InstanceRef): string[] => {
    if (ref.kind === 'RedisFailover') return ['try failover as no master found'];
    if (ref.kind !== 'DistributedRedisCluster') return [];
    return instancePodNames(ref.kind, ref.name)
      .filter((pod) => pod.endsWith('-1'))
      .map((replica) => `healed shard ${replica.slice(0, -2)} with new master ${replica}`);
  };

  const recordFailovers = (ref: InstanceRef) => {
    const obj = store.get(INSTANCE_KINDS[ref.kind].type, ref.namespace, ref.name);
    for (const message of obj ? failoverMessages(ref) : []) {
      recordEvent(ctx, obj as KubeObject, {
        type: 'Warning',
        reason: 'Failover',
        message,
        component: REDIS_OPERATOR_COMPONENT,
      });
    }
  };

  const roll = () => {
    const healthy = INSTANCE_KIND_NAMES.flatMap((kind) =>
      store
        .list(INSTANCE_KINDS[kind].type)
        .filter((obj) => instanceHealth(kind, obj) === INSTANCE_KINDS[kind].values.healthy)
        .map((obj) => ({ kind, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name })),
    );
    healthy.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
    for (const [index, ref] of healthy.entries()) {
      if (index % 2 === 0 && setState(ref, 'healthy', 'transitional')) {
        flapping.push(ref);
        recordFailovers(ref);
      }
    }
  };

  const settle = () => {
    for (const ref of flapping.splice(0)) setState(ref, 'transitional', 'healthy');
  };

  const onCsv = (csv: KubeObject) => {
    const name = csv.metadata.name;
    if (csv.metadata.namespace !== OPERATOR_NAMESPACE || parseCsvName(name)?.pkg !== REDIS_PACKAGE) return;
    const phase = (csv.status as { phase?: string } | undefined)?.phase;
    const replaces = (csv.spec as { replaces?: string } | undefined)?.replaces;
    if (phase === 'Installing' && replaces && !upgrading.has(name)) {
      upgrading.add(name);
      ctx.enqueue('redis-operator/roll', roll);
    } else if ((phase === 'Succeeded' || phase === 'Failed') && upgrading.delete(name)) {
      ctx.after(settleMs, () => ctx.enqueue('redis-operator/settle', settle));
    }
  };

  return {
    onEvent({ type, resource, object }) {
      if (type !== 'DELETED' && sameResource(resource, CSV)) onCsv(object);
    },
    resync() {},
  };
}
