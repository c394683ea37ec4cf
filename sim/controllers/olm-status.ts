/**
 * Typed reads of the OLM objects the simulated controllers share: Subscription spec/status,
 * InstallPlan spec/phase and its bundle lookups, and the Subscription condition OLM derives from a
 * referenced InstallPlan (subscription/state.go, CheckInstallPlanStatus and extractMessage).
 */
import type { Condition, ConditionInput } from '#sim/controllers/store-writes.ts';
import type { KubeObject } from '#sim/store/cluster-store.ts';

export interface SubSpec {
  channel?: string;
  name: string;
  sourceNamespace?: string;
  startingCSV?: string;
  installPlanApproval?: 'Manual' | 'Automatic';
}

export interface SubStatus {
  installedCSV?: string;
  currentCSV?: string;
  state?: string;
  installPlanRef?: { name?: string; namespace?: string };
  conditions?: Condition[];
  [key: string]: unknown;
}

export interface PlanSpec {
  approved?: boolean;
  clusterServiceVersionNames?: string[];
  generation?: number;
}

export interface LookupCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  [key: string]: unknown;
}

export interface BundleLookupStatus {
  path: string;
  identifier: string;
  replaces: string;
  conditions?: LookupCondition[];
  [key: string]: unknown;
}

export const subSpec = (sub: KubeObject) => sub.spec as SubSpec;
export const subStatus = (sub: KubeObject) => (sub.status ?? {}) as SubStatus;
export const planSpec = (plan: KubeObject) => plan.spec as PlanSpec;
export const planPhase = (plan: KubeObject | undefined) =>
  (plan?.status as { phase?: string } | undefined)?.phase;

export function bundleLookupsOf(plan: KubeObject): BundleLookupStatus[] {
  return ((plan.status as { bundleLookups?: BundleLookupStatus[] } | undefined)?.bundleLookups ?? []).map(
    (lookup) => ({ ...lookup }),
  );
}

export function lookupCondition(lookup: BundleLookupStatus, type: string): LookupCondition | undefined {
  return lookup.conditions?.find((c) => c.type === type && c.status === 'True');
}

/** Every bundle of the plan is in status.plan: nothing left to unpack, nothing failed. */
export function unpacked(plan: KubeObject): boolean {
  return bundleLookupsOf(plan).every(
    (lookup) =>
      !lookupCondition(lookup, 'BundleLookupPending') && !lookupCondition(lookup, 'BundleLookupFailed'),
  );
}

/** The Subscription's InstallPlanPending condition for a plan still in progress. */
export function planPendingCondition(plan: KubeObject): ConditionInput {
  const pending = bundleLookupsOf(plan)
    .map((lookup) => lookupCondition(lookup, 'BundleLookupPending')?.message)
    .filter((message): message is string => Boolean(message));
  return {
    type: 'InstallPlanPending',
    status: 'True',
    reason: planPhase(plan) ?? 'InstallPlanNotYetReconciled',
    ...(pending.length > 0 ? { message: pending.join(' ') } : {}),
  };
}
