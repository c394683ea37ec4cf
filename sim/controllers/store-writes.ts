/**
 * Small write rules every simulated controller follows: write only when something other than a
 * timestamp changed (so reconciling twice is a no-op and controllers never loop on their own
 * writes), and create objects with their status even if the store strips status on create.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ResourceType } from '#sim/resource-types.ts';
import type { ClusterStore, KubeObject } from '#sim/store/cluster-store.ts';

const TIME_KEYS = new Set([
  'lastUpdated',
  'lastUpdateTime',
  'lastTransitionTime',
  'lastHeartbeatTime',
  'lastCheckTime',
]);

function withoutTimes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimes);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (!TIME_KEYS.has(key) && child !== undefined) out[key] = withoutTimes(child);
  }
  return out;
}

/** Equal apart from bookkeeping timestamps. */
export function sameIgnoringTimes(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(withoutTimes(a), withoutTimes(b));
}

/** Two ResourceTypes naming the same storage (served versions share objects). */
export function sameResource(a: ResourceType, b: ResourceType): boolean {
  return a.group === b.group && a.plural === b.plural;
}

export function createWithStatus(
  store: ClusterStore,
  t: ResourceType,
  obj: KubeObject,
  createdAt?: Date,
): KubeObject {
  const created = store.create(t, obj, createdAt ? { createdAt } : {});
  if (obj.status === undefined || created.status !== undefined) return created;
  return store.updateStatus(t, { ...created, status: obj.status });
}

/** Writes `status` through the status subresource unless only timestamps would change. */
export function writeStatus(
  store: ClusterStore,
  t: ResourceType,
  current: KubeObject,
  status: Record<string, unknown>,
): KubeObject {
  if (sameIgnoringTimes(current.status, status)) return current;
  return store.updateStatus(t, { ...current, status });
}

export interface ConditionInput {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface Condition extends ConditionInput {
  lastTransitionTime?: string;
  [key: string]: unknown;
}

/** Sets one condition by type, keeping lastTransitionTime while its status stays the same. */
export function setCondition(
  conditions: Condition[] | undefined,
  next: ConditionInput,
  now: string,
): Condition[] {
  const list = conditions ?? [];
  const previous = list.find((c) => c.type === next.type);
  const kept = previous && previous.status === next.status ? previous.lastTransitionTime : undefined;
  const condition: Condition = { ...next, lastTransitionTime: kept ?? now };
  return previous ? list.map((c) => (c === previous ? condition : c)) : [...list, condition];
}

export function dropCondition(conditions: Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}
