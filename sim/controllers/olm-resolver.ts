/**
 * OLM's catalog operator resolving Subscriptions (operator-lifecycle-manager before v0.25, where
 * an InstallPlan is created first and its bundles unpacked afterwards):
 *
 * - The upgrade is chosen as #sim/controllers/olm-graph.ts says, from the bundles the cluster's
 *   catalog holds. No candidate: the Subscription stays AtLatestKnown at its installed CSV. A
 *   failure sets the Subscription's ResolutionFailed condition (ConstraintsNotSatisfiable or
 *   ErrorPreventedResolution) and a Warning ResolutionFailed Event on the Namespace; no plan.
 * - A candidate gets an InstallPlan named `install-<random>` by the apiserver, with the bundle to
 *   unpack in status.bundleLookups and an empty status.plan (#sim/controllers/olm-unpacker.ts fills
 *   it): phase RequiresApproval on Manual, Installing (approved) on Automatic. The Subscription
 *   goes UpgradePending with currentCSV and installPlanRef.
 * - An UpgradePending Subscription whose InstallPlan exists is not resolved again (OLM's
 *   nothingToUpdate): a newer upload does not replace a pending plan; deleting the plan does.
 * - Nothing is resolved while a plan runs or after it failed, nor before the installed CSV is up.
 *
 * Trap mergedPlan folds other operators' pending plans of the namespace into the new plan.
 */
import type { Controller, ControllerContext } from '#sim/controllers/controller-context.ts';
import { OLM_COMPONENT, recordEvent } from '#sim/controllers/events.ts';
import { type InstalledCsv, resolveSubscription } from '#sim/controllers/olm-graph.ts';
import {
  buildInstallPlan,
  bundleLookup,
  CATALOG_HEALTHY_CONDITION,
  CATALOG_NAME,
  CATALOG_NAMESPACE,
  parseCsvName,
  planReferences,
} from '#sim/controllers/olm-objects.ts';
import {
  planPendingCondition,
  planPhase,
  planSpec,
  type SubStatus,
  subSpec,
  subStatus,
} from '#sim/controllers/olm-status.ts';
import { packageCatalog } from '#sim/controllers/package-manifest.ts';
import {
  createWithStatus,
  dropCondition,
  sameResource,
  setCondition,
  writeStatus,
} from '#sim/controllers/store-writes.ts';
import type { Bundle } from '#sim/packages/bundle.ts';
import { CSV, INSTALL_PLAN, NAMESPACE, PACKAGE_MANIFEST, SUBSCRIPTION } from '#sim/resource-types.ts';
import type { KubeObject } from '#sim/store/cluster-store.ts';

export function olmResolver(ctx: ControllerContext): Controller {
  const { store } = ctx;

  const enqueueSub = (namespace: string | undefined, name: string) =>
    ctx.enqueue(`resolve/${namespace}/${name}`, () => resolve(namespace ?? '', name));

  const enqueueWhere = (match: (sub: KubeObject) => boolean) => {
    for (const sub of store.list(SUBSCRIPTION))
      if (match(sub)) enqueueSub(sub.metadata.namespace, sub.metadata.name);
  };

  const writeSub = (sub: KubeObject, changes: Partial<SubStatus>) =>
    writeStatus(store, SUBSCRIPTION, sub, { ...subStatus(sub), ...changes, lastUpdated: ctx.now() });

  const installedOf = (sub: KubeObject): InstalledCsv | undefined => {
    const name = subStatus(sub).installedCSV;
    if (!name) return undefined;
    const csv = store.get(CSV, sub.metadata.namespace, name);
    const version = (csv?.spec as { version?: string } | undefined)?.version ?? parseCsvName(name)?.version;
    return version ? { name, version } : undefined;
  };

  const createPlan = (sub: KubeObject, target: Bundle): KubeObject => {
    const namespace = sub.metadata.namespace ?? '';
    const approval = subSpec(sub).installPlanApproval ?? 'Automatic';
    const plans = store.list(INSTALL_PLAN, { namespace });
    const generation = Math.max(0, ...plans.map((p) => planSpec(p).generation ?? 0)) + 1;
    const merged = ctx.spec.traps?.mergedPlan
      ? plans.filter((p) => planPhase(p) === 'RequiresApproval' && !planSpec(p).approved)
      : [];
    const subs = store.list(SUBSCRIPTION, { namespace });
    const others = subs.filter(
      (s) =>
        s.metadata.name !== sub.metadata.name &&
        merged.some((p) => p.metadata.name === subStatus(s).installPlanRef?.name),
    );
    const csvNames = [
      target.csv,
      ...new Set(
        merged
          .flatMap((p) => planSpec(p).clusterServiceVersionNames ?? [])
          .filter((n) => parseCsvName(n)?.pkg !== target.package),
      ),
    ];
    const lookups = csvNames.flatMap((csv) => {
      const bundle = csv === target.csv ? target : ctx.bundles(csv);
      const owner = subs.find((s) => subSpec(s).name === bundle?.package);
      return bundle ? [bundleLookup(bundle, owner && subStatus(owner).installedCSV)] : [];
    });
    const plan = createWithStatus(store, INSTALL_PLAN, {
      ...buildInstallPlan({ namespace, csvNames, approval, generation, owners: [sub, ...others] }),
      status: {
        phase: approval === 'Manual' ? 'RequiresApproval' : 'Installing',
        catalogSources: [CATALOG_NAME],
        plan: [],
        bundleLookups: lookups,
      },
    });
    for (const other of others) markPending(other, plan, subStatus(other).currentCSV ?? '');
    return plan;
  };

  const markPending = (sub: KubeObject, plan: KubeObject, target: string) => {
    const settledConditions = ['ResolutionFailed', 'InstallPlanFailed', 'InstallPlanMissing'].reduce(
      (conditions, type) => dropCondition(conditions, type),
      subStatus(sub).conditions,
    );
    writeSub(sub, {
      currentCSV: target,
      state: 'UpgradePending',
      reason: undefined,
      ...planReferences(plan),
      conditions: setCondition(settledConditions, planPendingCondition(plan), ctx.now()),
    });
  };

  const resolutionFailed = (sub: KubeObject, reason: string, message: string) => {
    const previous = subStatus(sub).conditions?.find((c) => c.type === 'ResolutionFailed');
    const conditions = setCondition(
      subStatus(sub).conditions,
      { type: 'ResolutionFailed', status: 'True', reason, message },
      ctx.now(),
    );
    writeSub(sub, { conditions });
    const namespace = store.get(NAMESPACE, undefined, sub.metadata.namespace ?? '');
    if (namespace && previous?.message !== message) {
      recordEvent(ctx, namespace, {
        type: 'Warning',
        reason: 'ResolutionFailed',
        message,
        component: OLM_COMPONENT,
      });
    }
  };

  const atLatest = (sub: KubeObject) => {
    const status = subStatus(sub);
    let conditions = dropCondition(
      dropCondition(status.conditions, 'ResolutionFailed'),
      'InstallPlanPending',
    );
    if (!conditions.some((c) => c.type === CATALOG_HEALTHY_CONDITION.type)) {
      conditions = setCondition(conditions, CATALOG_HEALTHY_CONDITION, ctx.now());
    }
    writeSub(sub, { currentCSV: status.installedCSV, state: 'AtLatestKnown', conditions });
  };

  /** Nothing to resolve while a plan is pending or runs, after it failed, or before the installed CSV is up. */
  const nothingToUpdate = (sub: KubeObject, plan: KubeObject | undefined): boolean => {
    const phase = planPhase(plan);
    if (phase === 'Installing' || phase === 'Failed') return true;
    if (plan && phase !== 'Complete' && subStatus(sub).state === 'UpgradePending') return true;
    const installed = subStatus(sub).installedCSV;
    if (!installed) return false;
    const csv = store.get(CSV, sub.metadata.namespace, installed);
    return (csv?.status as { phase?: string } | undefined)?.phase !== 'Succeeded';
  };

  const resolve = (namespace: string, name: string) => {
    const sub = store.get(SUBSCRIPTION, namespace, name);
    if (!sub) return;
    const spec = subSpec(sub);
    const ref = subStatus(sub).installPlanRef?.name;
    const plan = ref ? store.get(INSTALL_PLAN, namespace, ref) : undefined;
    if (nothingToUpdate(sub, plan)) return;
    const manifest = store.get(PACKAGE_MANIFEST, spec.sourceNamespace ?? CATALOG_NAMESPACE, spec.name);
    const resolution = resolveSubscription({
      subscription: name,
      pkg: spec.name,
      channel: spec.channel,
      catalog: packageCatalog(manifest, ctx.bundles),
      installed: installedOf(sub),
      startingCSV: spec.startingCSV,
    });
    if (resolution.kind === 'failed') resolutionFailed(sub, resolution.reason, resolution.message);
    else if (resolution.kind === 'none') atLatest(sub);
    else markPending(sub, createPlan(sub, resolution.bundle), resolution.bundle.csv);
  };

  const onPlan = (plan: KubeObject) =>
    enqueueWhere(
      (sub) =>
        sub.metadata.namespace === plan.metadata.namespace &&
        subStatus(sub).installPlanRef?.name === plan.metadata.name,
    );

  return {
    onEvent({ type, resource, object }) {
      if (sameResource(resource, SUBSCRIPTION) && type !== 'DELETED')
        enqueueSub(object.metadata.namespace, object.metadata.name);
      else if (sameResource(resource, PACKAGE_MANIFEST))
        enqueueWhere((sub) => subSpec(sub).name === object.metadata.name);
      else if (sameResource(resource, INSTALL_PLAN)) onPlan(object);
      else if (sameResource(resource, CSV))
        enqueueWhere(
          (sub) =>
            sub.metadata.namespace === object.metadata.namespace &&
            subStatus(sub).installedCSV === object.metadata.name,
        );
    },
    resync() {
      enqueueWhere(() => true);
    },
  };
}
