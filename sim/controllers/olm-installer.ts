/**
 * OLM's InstallPlan execution: an approved plan whose bundles are unpacked goes Installing and
 * creates its CSVs from their bundles (Pending -> InstallReady -> Installing, spec.replaces = the
 * CSV it upgrades), each phase change also a CSV Event as OLM records them. As in OLM the plan completes
 * once its objects exist, and the Subscription moves to the new installedCSV/AtLatestKnown while the
 * CSV is still Installing; the replaced CSV turns Replacing. installTimeMs after approval the new CSV
 * is Succeeded and the old one Deleting, then gone. With failInstall the first install instead ends
 * with the CSV Failed, the plan Failed and the Subscription UpgradeFailed.
 */
import type { Controller, ControllerContext } from '#sim/controllers/controller-context.ts';
import { OLM_COMPONENT, recordEvent } from '#sim/controllers/events.ts';
import { buildCsv, type CsvPhase, csvStatus, parseCsvName } from '#sim/controllers/olm-objects.ts';
import { planPhase, planSpec, subSpec, subStatus, unpacked } from '#sim/controllers/olm-status.ts';
import {
  createWithStatus,
  dropCondition,
  sameResource,
  setCondition,
  writeStatus,
} from '#sim/controllers/store-writes.ts';
import { CSV, INSTALL_PLAN, SUBSCRIPTION } from '#sim/resource-types.ts';
import type { KubeObject } from '#sim/store/cluster-store.ts';

interface Step {
  csv: string;
  sub: KubeObject | undefined;
  replaces: string | undefined;
}

const SUCCEEDED_MESSAGE = 'install strategy completed with no errors';
const REPLACED_MESSAGE =
  'has been replaced by a newer ClusterServiceVersion that has successfully installed.';

function failureMessage(csv: string): string {
  const deployment = parseCsvName(csv)?.pkg ?? csv;
  return `install failed: deployment ${deployment} not ready before timeout: deployment "${deployment}" exceeded its progress deadline`;
}

export function olmInstaller(ctx: ControllerContext): Controller {
  const { store } = ctx;
  const started = new Set<string>();
  let failuresLeft = ctx.spec.failInstall ? 1 : 0;

  const csvEvent = (csv: KubeObject, phase: CsvPhase, reason: string, message: string) =>
    recordEvent(ctx, csv, {
      type: phase === 'Failed' ? 'Warning' : 'Normal',
      reason,
      message,
      component: OLM_COMPONENT,
    });

  const setCsvPhase = (namespace: string, name: string, phase: CsvPhase, reason: string, message: string) => {
    const csv = store.get(CSV, namespace, name);
    if (!csv) return;
    const written = writeStatus(
      store,
      CSV,
      csv,
      csvStatus(csv.status as Record<string, unknown>, phase, reason, message, ctx.now()),
    );
    csvEvent(written, phase, reason, message);
  };

  const writeSub = (
    sub: KubeObject | undefined,
    change: (s: ReturnType<typeof subStatus>) => Record<string, unknown>,
  ) => {
    const fresh = sub && store.get(SUBSCRIPTION, sub.metadata.namespace, sub.metadata.name);
    if (fresh)
      writeStatus(store, SUBSCRIPTION, fresh, {
        ...subStatus(fresh),
        ...change(subStatus(fresh)),
        lastUpdated: ctx.now(),
      });
  };

  const createCsv = (namespace: string, step: Step) => {
    const parsed = parseCsvName(step.csv);
    if (!parsed) return;
    const bundle = ctx.bundles(step.csv);
    if (store.get(CSV, namespace, step.csv)) store.delete(CSV, namespace, step.csv); // a Failed leftover being retried
    const pending = { reason: 'RequirementsUnknown', message: 'requirements not yet checked' };
    const created = createWithStatus(store, CSV, {
      ...buildCsv({
        pkg: parsed.pkg,
        version: parsed.version,
        namespace,
        replaces: step.replaces,
        skips: bundle?.skips,
        skipRange: bundle?.skipRange,
      }),
      status: csvStatus(undefined, 'Pending', pending.reason, pending.message, ctx.now()),
    });
    csvEvent(created, 'Pending', pending.reason, pending.message);
    setCsvPhase(
      namespace,
      step.csv,
      'InstallReady',
      'AllRequirementsMet',
      'all requirements found, attempting install',
    );
    setCsvPhase(
      namespace,
      step.csv,
      'Installing',
      'InstallWaiting',
      `installing: waiting for deployment ${parsed.pkg} to become ready`,
    );
  };

  const stepsOf = (plan: KubeObject): Step[] => {
    const subs = store.list(SUBSCRIPTION, { namespace: plan.metadata.namespace });
    return (planSpec(plan).clusterServiceVersionNames ?? []).map((csv) => {
      const sub = subs.find((s) => subSpec(s).name === parseCsvName(csv)?.pkg);
      const installed = sub && subStatus(sub).installedCSV;
      return { csv, sub, replaces: installed && installed !== csv ? installed : undefined };
    });
  };

  const complete = (plan: KubeObject, steps: Step[]) => {
    const namespace = plan.metadata.namespace ?? '';
    const now = ctx.now();
    const planned = (plan.status as { plan?: Record<string, unknown>[] } | undefined)?.plan ?? [];
    writeStatus(store, INSTALL_PLAN, plan, {
      ...(plan.status as object),
      phase: 'Complete',
      plan: planned.map((step) => ({ ...step, status: 'Created' })),
      conditions: [{ type: 'Installed', status: 'True', lastUpdateTime: now, lastTransitionTime: now }],
    });
    for (const step of steps) {
      writeSub(step.sub, (s) => ({
        installedCSV: step.csv,
        currentCSV: step.csv,
        state: 'AtLatestKnown',
        reason: undefined,
        conditions: dropCondition(dropCondition(s.conditions, 'InstallPlanPending'), 'InstallPlanFailed'),
      }));
      if (step.replaces)
        setCsvPhase(
          namespace,
          step.replaces,
          'Replacing',
          'BeingReplaced',
          `being replaced by csv: ${step.csv}`,
        );
    }
  };

  const succeed = (namespace: string, steps: Step[]) => {
    for (const step of steps) {
      setCsvPhase(namespace, step.csv, 'Succeeded', 'InstallSucceeded', SUCCEEDED_MESSAGE);
      if (!step.replaces) continue;
      setCsvPhase(namespace, step.replaces, 'Deleting', 'Replaced', REPLACED_MESSAGE);
      if (store.get(CSV, namespace, step.replaces)) store.delete(CSV, namespace, step.replaces);
    }
  };

  const fail = (planName: string, namespace: string, steps: Step[]) => {
    for (const step of steps)
      setCsvPhase(namespace, step.csv, 'Failed', 'InstallCheckFailed', failureMessage(step.csv));
    const message = `error installing ${steps.map((s) => s.csv).join(', ')}: ${failureMessage(steps[0]?.csv ?? '')}`;
    const plan = store.get(INSTALL_PLAN, namespace, planName);
    if (plan) {
      const now = ctx.now();
      writeStatus(store, INSTALL_PLAN, plan, {
        ...(plan.status as object),
        phase: 'Failed',
        message,
        conditions: [
          {
            type: 'Installed',
            status: 'False',
            reason: 'InstallComponentFailed',
            message,
            lastUpdateTime: now,
            lastTransitionTime: now,
          },
        ],
      });
    }
    for (const step of steps) {
      writeSub(step.sub, (s) => ({
        state: 'UpgradeFailed',
        reason: 'InstallComponentFailed',
        conditions: setCondition(
          dropCondition(s.conditions, 'InstallPlanPending'),
          { type: 'InstallPlanFailed', status: 'True', reason: 'InstallComponentFailed', message },
          ctx.now(),
        ),
      }));
    }
  };

  const execute = (namespace: string, name: string) => {
    const found = store.get(INSTALL_PLAN, namespace, name);
    if (!found || !ready(found)) return;
    started.add(found.metadata.uid ?? name);
    const failing = failuresLeft > 0;
    if (failing) failuresLeft -= 1;
    const steps = stepsOf(found);
    const plan = writeStatus(store, INSTALL_PLAN, found, {
      ...(found.status as object),
      phase: 'Installing',
      startTime: (found.status as { startTime?: string } | undefined)?.startTime ?? ctx.now(),
    });
    for (const step of steps) {
      writeSub(step.sub, (s) => ({
        conditions: setCondition(
          s.conditions,
          { type: 'InstallPlanPending', status: 'True', reason: 'Installing' },
          ctx.now(),
        ),
      }));
      createCsv(namespace, step);
    }
    if (!failing) complete(plan, steps);
    ctx.after(ctx.spec.installTimeMs, () =>
      failing ? fail(name, namespace, steps) : succeed(namespace, steps),
    );
  };

  const ready = (plan: KubeObject) => {
    const phase = planPhase(plan);
    const waiting = phase === 'RequiresApproval' || phase === 'Installing';
    return (
      planSpec(plan).approved === true &&
      waiting &&
      unpacked(plan) &&
      !started.has(plan.metadata.uid ?? plan.metadata.name)
    );
  };

  const consider = (plan: KubeObject) => {
    const { namespace, name } = plan.metadata;
    if (ready(plan)) ctx.enqueue(`install/${namespace}/${name}`, () => execute(namespace ?? '', name));
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
