/**
 * core/v1 Events the way client-go's EventRecorder writes them: named `<object>.<hex nanoseconds>`
 * in the involved object's namespace (`default` for cluster-scoped objects), and a repeat of the
 * same type, reason and message for the same object bumps `count` and `lastTimestamp` of the
 * existing Event instead of creating another (the recorder's aggregation).
 */
import type { ControllerContext } from '#sim/controllers/controller-context.ts';
import { EVENT } from '#sim/resource-types.ts';
import type { KubeObject } from '#sim/store/cluster-store.ts';

/** What OLM's recorders (catalog and olm operators) report as their source. */
export const OLM_COMPONENT = 'operator-lifecycle-manager';
export const REDIS_OPERATOR_COMPONENT = 'redis-operator';

export interface EventInput {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  component: string;
}

interface InvolvedObject {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
}

let sequence = 0;

/** client-go uses the wall clock's nanoseconds; a counter keeps names distinct within one millisecond. */
function eventName(object: KubeObject, now: Date): string {
  sequence = (sequence + 1) % 1_000_000;
  const nanos = BigInt(now.getTime()) * 1_000_000n + BigInt(sequence);
  return `${object.metadata.name}.${nanos.toString(16)}`;
}

export function recordEvent(ctx: ControllerContext, object: KubeObject, input: EventInput): void {
  const namespace = object.metadata.namespace ?? 'default';
  const now = ctx.clock.now();
  const timestamp = ctx.now();
  const same = ctx.store.list(EVENT, { namespace }).find((event) => {
    const involved = event.involvedObject as InvolvedObject | undefined;
    return (
      involved?.uid === object.metadata.uid &&
      event.reason === input.reason &&
      event.message === input.message &&
      event.type === input.type
    );
  });
  if (same) {
    ctx.store.update(EVENT, { ...same, count: Number(same.count ?? 1) + 1, lastTimestamp: timestamp });
    return;
  }
  ctx.store.create(EVENT, {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: eventName(object, now), namespace },
    involvedObject: {
      apiVersion: object.apiVersion,
      kind: object.kind,
      ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
      name: object.metadata.name,
      uid: object.metadata.uid,
      resourceVersion: object.metadata.resourceVersion,
    },
    reason: input.reason,
    message: input.message,
    source: { component: input.component },
    firstTimestamp: timestamp,
    lastTimestamp: timestamp,
    count: 1,
    type: input.type,
    eventTime: null,
    reportingComponent: input.component,
    reportingInstance: '',
  });
}
