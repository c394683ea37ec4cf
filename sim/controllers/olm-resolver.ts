/**
 * OLM's resolver for Subscriptions: when the catalog offers a newer CSV on the subscribed channel
 * than status.installedCSV, it creates an InstallPlan (Manual -> RequiresApproval, Automatic ->
 * approved at once) and moves the Subscription to UpgradePending with currentCSV/installPlanRef.
 * Like OLM it steps along the channel one version at a time, waits for the installed CSV to
 * succeed, leaves a failed plan alone until someone deletes it, and reports a missing channel as
 * ResolutionFailed. Traps: channelHeadMoved targets the channel head instead of the next version;
 * mergedPlan folds other operators' pending plans of the namespace into the new plan.
 */
import semver from 'semver';
import type { Controller, ControllerContext } from '#sim/controllers/controller-context.ts';
import {
  buildInstallPlan,
  CATALOG_HEALTHY_CONDITION,
  CATALOG_NAMESPACE,
  installPlanName,
  parseCsvName,
  planReferences,
  planSteps,
} from '#sim/controllers/olm-objects.ts';
import { type ManifestChannel, manifestChannels } from '#sim/controllers/package-manifest.ts';
import {
  type Condition,
  createWithStatus,
  dropCondition,
  sameResource,
  setCondition,
  writeStatus,
} from '#sim/controllers/store-writes.ts';
import { CSV, INSTALL_PLAN, PACKAGE_MANIFEST, SUBSCRIPTION } from '#sim/resource-types.ts';
import type { KubeObject } from '#sim/store/cluster-store.ts';

interface SubSpec {
  channel?: string;
  name: string;
  sourceNamespace?: string;
  installPlanApproval?: 'Manual' | 'Automatic';
}

interface SubStatus {
  installedCSV?: string;
  currentCSV?: string;
  state?: string;
  installPlanRef?: { name?: string; namespace?: string };
  conditions?: Condition[];
  [key: string]: unknown;
}

interface PlanSpec {
  approved?: boolean;
  clusterServiceVersionNames?: string[];
  generation?: number;
}

export const subSpec = (sub: KubeObject) => sub.spec as SubSpec;
export const subStatus = (sub: KubeObject) => (sub.status ?? {}) as SubStatus;
export const planSpec = (plan: KubeObject) => plan.spec as PlanSpec;
export const planPhase = (plan: KubeObject | undefined) =>
  (plan?.status as { phase?: string } | undefined)?.phase;

/** Next CSV on the channel after `installed`: the next version up, or the head when the head moved past it. */
export function nextCsv(
  channel: ManifestChannel,
  installed: string | undefined,
  toHead: boolean,
): string | undefined {
  const from = installed ? parseCsvName(installed)?.version : undefined;
  if (!from) return channel.currentCSV;
  const newer = channel.entries
    .filter((e) => semver.gt(e.version, from))
    .sort((a, b) => semver.compare(a.version, b.version));
  return (toHead ? newer.at(-1) : newer[0])?.name;
}

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

  const createPlan = (sub: KubeObject, target: string): KubeObject => {
    const namespace = sub.metadata.namespace ?? '';
    const approval = subSpec(sub).installPlanApproval ?? 'Automatic';
    const plans = store.list(INSTALL_PLAN, { namespace });
    const generation = Math.max(0, ...plans.map((p) => planSpec(p).generation ?? 0)) + 1;
    const merged = ctx.spec.traps?.mergedPlan
      ? plans.filter((p) => planPhase(p) === 'RequiresApproval' && !planSpec(p).approved)
      : [];
    const others = store
      .list(SUBSCRIPTION, { namespace })
      .filter(
        (s) =>
          s.metadata.name !== sub.metadata.name &&
          merged.some((p) => p.metadata.name === subStatus(s).installPlanRef?.name),
      );
    const pkg = subSpec(sub).name;
    const csvNames = [
      target,
      ...new Set(
        merged
          .flatMap((p) => planSpec(p).clusterServiceVersionNames ?? [])
          .filter((n) => parseCsvName(n)?.pkg !== pkg),
      ),
    ];
    let name = installPlanName(`${namespace}/${csvNames.join(',')}/${generation}`);
    for (let i = 1; store.get(INSTALL_PLAN, namespace, name); i++) name = installPlanName(`${name}/${i}`);
    const plan = createWithStatus(store, INSTALL_PLAN, {
      ...buildInstallPlan({ name, namespace, csvNames, approval, generation, owners: [sub, ...others] }),
      status: {
        phase: approval === 'Manual' ? 'RequiresApproval' : 'Installing',
        catalogSources: [],
        plan: planSteps(csvNames, 'Unknown'),
        startTime: ctx.now(),
      },
    });
    for (const other of others) markPending(other, plan, subStatus(other).currentCSV ?? '');
    return plan;
  };

  const markPending = (sub: KubeObject, plan: KubeObject, target: string) => {
    const approved = planSpec(plan).approved === true;
    const settledConditions = dropCondition(
      dropCondition(subStatus(sub).conditions, 'ResolutionFailed'),
      'InstallPlanFailed',
    );
    const conditions = setCondition(
      settledConditions,
      { type: 'InstallPlanPending', status: 'True', reason: approved ? 'Installing' : 'RequiresApproval' },
      ctx.now(),
    );
    writeSub(sub, {
      currentCSV: target,
      state: 'UpgradePending',
      reason: undefined,
      ...planReferences(plan),
      conditions,
    });
  };

  const resolutionFailed = (sub: KubeObject, message: string) => {
    const conditions = setCondition(
      subStatus(sub).conditions,
      { type: 'ResolutionFailed', status: 'True', reason: 'ConstraintsNotSatisfiable', message },
      ctx.now(),
    );
    writeSub(sub, { conditions });
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

  /** Nothing to resolve while a plan runs, after it failed, or before the installed CSV is up. */
  const settled = (sub: KubeObject, plan: KubeObject | undefined): boolean => {
    const phase = planPhase(plan);
    if (phase === 'Installing' || phase === 'Failed') return false;
    if (phase === 'RequiresApproval' && planSpec(plan as KubeObject).approved) return false;
    const installed = subStatus(sub).installedCSV;
    if (!installed) return true;
    const csv = store.get(CSV, sub.metadata.namespace, installed);
    return (csv?.status as { phase?: string } | undefined)?.phase === 'Succeeded';
  };

  const resolve = (namespace: string, name: string) => {
    const sub = store.get(SUBSCRIPTION, namespace, name);
    if (!sub) return;
    const spec = subSpec(sub);
    const status = subStatus(sub);
    const plan = status.installPlanRef?.name
      ? store.get(INSTALL_PLAN, namespace, status.installPlanRef.name)
      : undefined;
    if (!settled(sub, plan)) return;
    const manifest = store.get(PACKAGE_MANIFEST, spec.sourceNamespace ?? CATALOG_NAMESPACE, spec.name);
    const channelName =
      spec.channel ?? (manifest?.status as { defaultChannel?: string } | undefined)?.defaultChannel;
    const channel = manifestChannels(manifest).find((c) => c.name === channelName);
    if (!channel) {
      resolutionFailed(
        sub,
        `constraints not satisfiable: no operators found in channel ${channelName} of package ${spec.name} in the catalog referenced by subscription ${name}`,
      );
      return;
    }
    const target = nextCsv(channel, status.installedCSV, ctx.spec.traps?.channelHeadMoved === true);
    if (!target) {
      atLatest(sub);
      return;
    }
    const pending =
      planPhase(plan) === 'RequiresApproval' &&
      planSpec(plan as KubeObject).clusterServiceVersionNames?.includes(target);
    markPending(sub, pending ? (plan as KubeObject) : createPlan(sub, target), target);
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
