/**
 * OLM's bundle unpacking for an InstallPlan (operator-lifecycle-manager before v0.25: the plan
 * exists, RequiresApproval or Installing, while its bundles unpack). Each status.bundleLookups entry
 * starts BundleLookupPending/JobNotStarted; the unpack job starts (JobIncomplete) and UNPACK_MS
 * later the bundle's manifests land in status.plan (CSV, CRDs, RBAC) and the lookup's conditions
 * are gone. With `failUnpack` the job cannot pull the bundle image (it never reached the cluster's
 * registry, common on ACP): the lookup reports the pod's ImagePullBackOff until the unpack timeout,
 * then BundleLookupFailed (DeadlineExceeded), the plan turns Failed with InstallCheckFailed and the
 * Subscription gets InstallPlanFailed. Nothing installs before a plan is unpacked.
 */
import { createHash } from 'node:crypto';
import type { Controller, ControllerContext } from '#sim/controllers/controller-context.ts';
import { bundleSteps, CATALOG_NAMESPACE } from '#sim/controllers/olm-objects.ts';
import {
  type BundleLookupStatus,
  bundleLookupsOf,
  lookupCondition,
  planPendingCondition,
  planPhase,
  subStatus,
} from '#sim/controllers/olm-status.ts';
import {
  type ConditionInput,
  dropCondition,
  sameResource,
  setCondition,
  writeStatus,
} from '#sim/controllers/store-writes.ts';
import { INSTALL_PLAN, SUBSCRIPTION } from '#sim/resource-types.ts';
import type { KubeObject } from '#sim/store/cluster-store.ts';

/** Simulated ms an unpack job takes to pull a bundle image and copy its manifests. */
const UNPACK_MS = 20_000;
/** OLM's default bundle unpack timeout (the job's activeDeadlineSeconds). */
const UNPACK_TIMEOUT_MS = 10 * 60_000;

const DEADLINE = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };

/** The unpack job's pod, named after the job OLM names by hashing the bundle path. */
function unpackPod(lookup: BundleLookupStatus): string {
  const job = createHash('sha256').update(lookup.path).digest('hex').slice(0, 63);
  return `${CATALOG_NAMESPACE}/${job.slice(0, 57)}-${job.slice(57, 62)}`;
}

function pendingMessage(lookup: BundleLookupStatus, pullFails: boolean): string {
  if (!pullFails) return 'unpack job not completed';
  return (
    `unpack job not completed: Unpack pod(${unpackPod(lookup)}) container(pull) is pending. ` +
    `Reason: ImagePullBackOff, Message: Back-off pulling image "${lookup.path}"`
  );
}

function withCondition(
  lookup: BundleLookupStatus,
  condition: ConditionInput,
  now: string,
): BundleLookupStatus {
  const others = (lookup.conditions ?? []).filter((c) => c.type !== condition.type);
  return { ...lookup, conditions: [...others, { ...condition, lastTransitionTime: now }] };
}

export function olmUnpacker(ctx: ControllerContext): Controller {
  const { store } = ctx;
  const started = new Set<string>();
  const pullFails = ctx.spec.failUnpack === true;

  const subsOf = (plan: KubeObject) =>
    store
      .list(SUBSCRIPTION, { namespace: plan.metadata.namespace })
      .filter((sub) => subStatus(sub).installPlanRef?.name === plan.metadata.name);

  const writeSubs = (
    plan: KubeObject,
    change: (conditions: ReturnType<typeof subStatus>['conditions']) => unknown,
  ) => {
    for (const sub of subsOf(plan)) {
      const status = subStatus(sub);
      writeStatus(store, SUBSCRIPTION, sub, {
        ...status,
        conditions: change(status.conditions),
        lastUpdated: ctx.now(),
      });
    }
  };

  const writePlan = (plan: KubeObject, status: Record<string, unknown>) => {
    const written = writeStatus(store, INSTALL_PLAN, plan, { ...(plan.status as object), ...status });
    writeSubs(written, (conditions) => setCondition(conditions, planPendingCondition(written), ctx.now()));
    return written;
  };

  const start = (namespace: string, name: string) => {
    const plan = store.get(INSTALL_PLAN, namespace, name);
    if (!plan || !waiting(plan)) return;
    const uid = plan.metadata.uid ?? name;
    started.add(uid);
    const now = ctx.now();
    const lookups = bundleLookupsOf(plan).map((lookup) =>
      withCondition(
        lookup,
        {
          type: 'BundleLookupPending',
          status: 'True',
          reason: 'JobIncomplete',
          message: pendingMessage(lookup, pullFails),
        },
        now,
      ),
    );
    writePlan(plan, { bundleLookups: lookups });
    ctx.after(pullFails ? UNPACK_TIMEOUT_MS : UNPACK_MS, () =>
      ctx.enqueue(`unpack/${namespace}/${name}`, () => finish(namespace, name, uid)),
    );
  };

  const fail = (plan: KubeObject) => {
    const now = ctx.now();
    const lookups = bundleLookupsOf(plan).map((lookup) =>
      withCondition(lookup, { type: 'BundleLookupFailed', status: 'True', ...DEADLINE }, now),
    );
    const message = `bundle unpacking failed. Reason: ${DEADLINE.reason}, and Message: ${DEADLINE.message}`;
    const installed = { type: 'Installed', status: 'False', reason: 'InstallCheckFailed', message };
    const failed = writeStatus(store, INSTALL_PLAN, plan, {
      ...(plan.status as object),
      phase: 'Failed',
      bundleLookups: lookups,
      conditions: [{ ...installed, lastUpdateTime: now, lastTransitionTime: now }],
    });
    writeSubs(failed, (conditions) =>
      setCondition(
        dropCondition(conditions, 'InstallPlanPending'),
        { ...installed, type: 'InstallPlanFailed', status: 'True' },
        now,
      ),
    );
  };

  const finish = (namespace: string, name: string, uid: string) => {
    started.delete(uid);
    const plan = store.get(INSTALL_PLAN, namespace, name);
    if (!plan || plan.metadata.uid !== uid || !waiting(plan)) return;
    if (pullFails) {
      fail(plan);
      return;
    }
    const lookups = bundleLookupsOf(plan);
    const steps = lookups.flatMap((lookup) => {
      const bundle = ctx.bundles(lookup.identifier);
      if (!bundle) throw new Error(`the platform registry has no bundle image ${lookup.path}`);
      return bundleSteps(bundle, 'Unknown');
    });
    // Unpacked: OLM removes the lookup's conditions (an empty list, omitted when serialized).
    const done = lookups.map(({ conditions: _conditions, ...lookup }) => lookup);
    writePlan(plan, { plan: steps, bundleLookups: done });
  };

  /** A plan with a bundle still to unpack, whose unpack job this controller has not started. */
  const waiting = (plan: KubeObject) => {
    const phase = planPhase(plan);
    if (phase === 'Failed' || phase === 'Complete') return false;
    return bundleLookupsOf(plan).some((lookup) => lookupCondition(lookup, 'BundleLookupPending'));
  };

  const consider = (plan: KubeObject) => {
    const { namespace, name, uid } = plan.metadata;
    if (waiting(plan) && !started.has(uid ?? name))
      ctx.enqueue(`unpack-start/${namespace}/${name}`, () => start(namespace ?? '', name));
  };

  return {
    onEvent({ type, resource, object }) {
      if (type !== 'DELETED' && sameResource(resource, INSTALL_PLAN)) consider(object);
    },
    resync() {
      for (const plan of store.list(INSTALL_PLAN)) consider(plan);
    },
  };
}
