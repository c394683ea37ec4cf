/**
 * The InstallPlan safety check (docs/architecture.md §2): approve only a plan in RequiresApproval whose CSV
 * list is exactly the hop's target, once OLM has unpacked its bundle and status.plan lists that
 * CSV and no other. OLM merges the pending plans of one namespace, so approving a plan that lists
 * other CSVs upgrades other operators too; a plan for a CSV beyond the hop would skip a step of
 * the supported path (OLM jumps to the newest bundle with an edge from the installed CSV). Both
 * are refused with an explanation naming OLM's edge, never approved. So is a plan whose own
 * approval is Automatic: OLM approves those, redis-upgrader approves only Manual ones. A bundle
 * that cannot be unpacked fails the hop with the cluster's reason; no plan at all while OLM says
 * it resolved nothing is `unresolved` (#domain/olm-edges.ts).
 */
import semver from 'semver';
import type { BundleLookupView, InstallPlanView } from '#domain/cluster-views.ts';
import { describeEdge, type OlmView, unresolvedReason } from '#domain/olm-edges.ts';

export type InstallPlanDecision =
  | { action: 'approve'; plan: InstallPlanView }
  /** Approved already (by this job earlier, or by someone else): the install is under way. */
  | { action: 'installing'; plan: InstallPlanView }
  /** `unpacking`: the plan whose bundle OLM is still unpacking, the one thing the wait is for. */
  | { action: 'wait'; reason: string; unpacking?: InstallPlanView }
  /** No plan, and OLM says it will make none: wait a little (it may be catching up), then give up. */
  | { action: 'unresolved'; reason: string }
  | { action: 'block'; reason: string }
  | { action: 'fail'; reason: string };

export interface HopTarget {
  /** The package the CSVs belong to, e.g. `redis-operator`. */
  packageName: string;
  /** The hop's target CSV, e.g. `redis-operator.v4.0.3`. */
  csv: string;
}

function planName(plan: InstallPlanView): string {
  return `InstallPlan ${plan.namespace}/${plan.name}`;
}

function versionOf(csv: string, packageName: string): string | undefined {
  const prefix = `${packageName}.v`;
  return csv.startsWith(prefix) ? (semver.valid(csv.slice(prefix.length)) ?? undefined) : undefined;
}

function isOurs(csv: string, target: HopTarget): boolean {
  return csv.startsWith(`${target.packageName}.v`);
}

function pendingApproval(plan: InstallPlanView): boolean {
  return plan.phase === 'RequiresApproval' && !plan.approved;
}

function condition(lookup: BundleLookupView, type: string) {
  return lookup.conditions.find((c) => c.type === type && c.status === 'True');
}

const said = (c: { reason?: string; message?: string }) =>
  `${c.reason ?? 'no reason'}: ${c.message ?? 'no message'}`;

/** The bundle lookup OLM could not unpack (its image never arrived, say), or undefined. */
function failedLookup(plan: InstallPlanView) {
  for (const lookup of plan.bundleLookups ?? []) {
    const failed = condition(lookup, 'BundleLookupFailed');
    if (failed) return { lookup, failed };
  }
  return undefined;
}

/** What the plan still unpacks, or undefined once status.plan lists its objects. */
function unpacking(plan: InstallPlanView): string | undefined {
  for (const lookup of plan.bundleLookups ?? []) {
    const pending = condition(lookup, 'BundleLookupPending');
    if (pending) return `OLM is unpacking bundle ${lookup.path} (${said(pending)})`;
  }
  if ((plan.bundleLookups?.length ?? 0) > 0 && (plan.plannedCsvs ?? []).length === 0)
    return 'OLM has not listed its steps yet';
  return undefined;
}

/** Whether OLM is done unpacking the plan's bundle, either way: its steps are listed, or a lookup failed. */
export function unpackSettled(plan: InstallPlanView): boolean {
  return unpacking(plan) === undefined || failedLookup(plan) !== undefined || plan.phase === 'Failed';
}

/** A Failed plan, or one whose bundle did not unpack: the hop fails with the cluster's words. */
function failure(plan: InstallPlanView, target: HopTarget): InstallPlanDecision | undefined {
  const unpack = failedLookup(plan);
  if (plan.phase !== 'Failed' && !unpack) return undefined;
  const message = plan.message ?? (unpack ? `bundle unpacking failed: ${said(unpack.failed)}` : 'no message');
  const image = unpack ? ` (bundle image ${unpack.lookup.path})` : '';
  return { action: 'fail', reason: `${planName(plan)} for ${target.csv} Failed: ${message}${image}` };
}

/** An exact Manual plan awaiting approval: approve it once unpacked, if its steps install the target alone. */
function approvalOf(plan: InstallPlanView, target: HopTarget): InstallPlanDecision {
  const busy = unpacking(plan);
  if (busy)
    return {
      action: 'wait',
      reason: `${planName(plan)} for ${target.csv} waits for approval; ${busy}`,
      unpacking: plan,
    };
  const planned = plan.plannedCsvs ?? [];
  if (planned.length > 0 && (planned.length !== 1 || planned[0] !== target.csv)) {
    return {
      action: 'block',
      reason:
        `${planName(plan)} lists ${target.csv} but its steps would install ${planned.join(', ')}; approving ` +
        `it would install more than this hop, so it was not approved. Delete that InstallPlan, then start the upgrade again`,
    };
  }
  return { action: 'approve', plan };
}

function decideForTargetPlan(plan: InstallPlanView, target: HopTarget): InstallPlanDecision {
  const exact = plan.csvNames.length === 1 && plan.csvNames[0] === target.csv;
  const failed = failure(plan, target);
  if (failed) return failed;
  if (!exact && !plan.approved) {
    const others = plan.csvNames.filter((csv) => csv !== target.csv);
    return {
      action: 'block',
      reason:
        `${planName(plan)} is a merged plan: besides ${target.csv} it would install ${others.join(', ')}; ` +
        `approving it would upgrade other operators too, so it was not approved. Resolve the other pending ` +
        `InstallPlans in ${plan.namespace}, then start the upgrade again`,
    };
  }
  if (plan.approved || plan.phase === 'Installing' || plan.phase === 'Complete') {
    return { action: 'installing', plan };
  }
  if (plan.phase === 'RequiresApproval' && plan.approval !== 'Manual') {
    // OLM approves Automatic plans itself; one left unapproved is not ours to push through.
    return {
      action: 'block',
      reason:
        `${planName(plan)} has approval ${plan.approval} but is not approved, while the Subscription asks ` +
        `for Manual approval; redis-upgrader approves only Manual plans, so it was not approved. Check the ` +
        `Subscriptions of ${plan.namespace}, then start the upgrade again`,
    };
  }
  if (plan.phase === 'RequiresApproval') return approvalOf(plan, target);
  return {
    action: 'wait',
    reason: `${planName(plan)} for ${target.csv} is ${plan.phase ?? 'without a phase'}`,
  };
}

function beyondTarget(
  plan: InstallPlanView,
  target: HopTarget,
  olm: OlmView | undefined,
): InstallPlanDecision {
  const wanted = versionOf(target.csv, target.packageName);
  const ours = plan.csvNames.filter((csv) => isOurs(csv, target));
  const resolved = ours[0] ?? plan.csvNames[0] ?? '';
  const ahead = ours.some((csv) => {
    const version = versionOf(csv, target.packageName);
    return wanted !== undefined && version !== undefined && semver.gt(version, wanted);
  });
  const what = ahead ? 'beyond' : 'not';
  return {
    action: 'block',
    reason:
      `OLM resolved ${resolved}${describeEdge(resolved, olm)}, ${what} this hop's target ${target.csv}: ` +
      `${planName(plan)} would install ${plan.csvNames.join(', ')}, and approving it would leave the ` +
      `supported upgrade path, so it was not approved. Delete that InstallPlan (or move the Subscription to a ` +
      `channel whose head is ${target.csv}), then start the upgrade again`,
  };
}

/**
 * Decides what to do about the InstallPlans of the Subscription's namespace for one hop. `olm`
 * (the Subscription and the hop's channel) lets the decision name OLM's edge and tell a plan
 * not made yet from one OLM will not make.
 */
export function decideInstallPlan(
  plans: readonly InstallPlanView[],
  target: HopTarget,
  olm?: OlmView,
): InstallPlanDecision {
  const forTarget = plans.filter((plan) => plan.csvNames.includes(target.csv));
  // A pending plan is the live question; an approved one means the install is under way; an older
  // failed plan matters only when nothing newer exists.
  const chosen =
    forTarget.find(pendingApproval) ??
    forTarget.find((plan) => plan.approved && plan.phase !== 'Failed') ??
    forTarget.find((plan) => plan.phase === 'Failed') ??
    forTarget[0];
  if (chosen) return decideForTargetPlan(chosen, target);
  const foreign = plans.find(
    (plan) => pendingApproval(plan) && plan.csvNames.some((csv) => isOurs(csv, target)),
  );
  if (foreign) return beyondTarget(foreign, target, olm);
  const unresolved = olm && unresolvedReason(olm, target.csv);
  if (unresolved) return { action: 'unresolved', reason: unresolved };
  return { action: 'wait', reason: `no InstallPlan for ${target.csv} yet` };
}

/** Until a plan is Complete or Failed, OLM may fold it into the next plan it creates for the namespace. */
function unfinished(plan: InstallPlanView): boolean {
  return plan.phase !== 'Complete' && plan.phase !== 'Failed';
}

/**
 * The early gate of validate: an unfinished InstallPlan in the Subscription's namespace that lists
 * another operator's CSV would be merged into the plan for our upload, and that merged plan could
 * never be approved. Caught here, before the upload, the job blocks with nothing changed; the
 * patch-stage gate stays for a plan that appears after validate. Returns the reason, or undefined.
 */
export function checkForeignPendingPlans(
  plans: readonly InstallPlanView[],
  packageName: string,
): string | undefined {
  const ours = (csv: string) => csv.startsWith(`${packageName}.v`);
  const found = plans
    .filter(unfinished)
    .map((plan) => ({ plan, foreign: plan.csvNames.filter((csv) => !ours(csv)) }))
    .filter(({ foreign }) => foreign.length > 0);
  if (found.length === 0) return undefined;
  const namespace = found[0]?.plan.namespace;
  const listed = found
    .map(
      ({ plan, foreign }) =>
        `${planName(plan)} (${plan.phase ?? 'no phase yet'}) lists ${foreign.join(', ')}`,
    )
    .join('; ');
  return (
    `another operator's InstallPlan is not finished in ${namespace}, nothing was changed: ${listed}. ` +
    `OLM would merge it into the plan for ${packageName}, and approving that would upgrade the other ` +
    `operator too. Approve or remove that operator's pending InstallPlan first (or let it finish ` +
    `installing), then start the upgrade again`
  );
}
