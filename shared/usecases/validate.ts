/**
 * Stage `validate`: learns what the cluster runs (never from the request), plans the path with
 * the catalog, and checks the prerequisites of the vendor guide. It only reads the cluster; any
 * failure blocks the job with a reason that names what is at fault. Another operator's unfinished
 * InstallPlan in the Subscription's namespace blocks here too, before the upload, since OLM would
 * merge it into ours (the patch-subscription gate remains for plans that appear later).
 */
import type { Catalog } from '#domain/catalog.ts';
import type { SubscriptionView } from '#domain/cluster-views.ts';
import { csvVersion } from '#domain/csv-version.ts';
import { NotFoundError, PlanError } from '#domain/errors.ts';
import { checkForeignPendingPlans } from '#domain/install-plan-gate.ts';
import type { JobFacts } from '#domain/job-transitions.ts';
import { planUpgrade } from '#domain/planner.ts';
import {
  type CapacityThresholds,
  checkCapacity,
  checkInstances,
  checkPvcs,
  summarizeFindings,
} from '#domain/prerequisites.ts';
import { type InstanceRef, instanceRef } from '#domain/redis-instance.ts';
import type { ClusterClient } from '#shared/ports.ts';
import { makePlanningStage, type StageDeps, type StageHandler } from '#usecases/stage-runner.ts';
import type { PlanningContext, StepOutcome } from '#usecases/stage-step.ts';

export interface ValidateDeps extends StageDeps {
  /** Read on every message, so a runtime may expose a reloadable catalog through a getter. */
  catalog: Catalog;
}

export type Installed = { version: string; subscription: SubscriptionView } | { blocked: string };

function subscriptionName(subscription: SubscriptionView): string {
  return `Subscription ${subscription.namespace}/${subscription.name}`;
}

async function readSubscription(client: ClusterClient): Promise<SubscriptionView | { blocked: string }> {
  try {
    return await client.readSubscription();
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    return {
      blocked: `the Redis operator Subscription was not found (${error.message}): is the plugin installed through OLM on this cluster?`,
    };
  }
}

/** The installed operator version, from the Subscription's installedCSV and that CSV (a rehearsal reads it too). */
export async function readInstalled(client: ClusterClient, packageName: string): Promise<Installed> {
  const subscription = await readSubscription(client);
  if ('blocked' in subscription) return subscription;
  const name = subscriptionName(subscription);
  if (!subscription.installedCSV) {
    return {
      blocked: `${name} has no installedCSV: the operator is not installed yet, or its install failed`,
    };
  }
  if (subscription.currentCSV && subscription.currentCSV !== subscription.installedCSV) {
    return {
      blocked:
        `${name} is already moving from ${subscription.installedCSV} to ${subscription.currentCSV} ` +
        `(state ${subscription.state ?? 'unknown'}): let that finish or resolve it first`,
    };
  }
  const csv = await client.readCsv(subscription.installedCSV);
  if (!csv)
    return {
      blocked: `${name} reports installedCSV ${subscription.installedCSV}, but that CSV does not exist`,
    };
  if (csv.phase !== 'Succeeded') {
    return {
      blocked: `the installed operator ${csv.name} is ${csv.phase ?? 'without a phase'}${csv.message ? `: ${csv.message}` : ''}`,
    };
  }
  const version = csvVersion(csv, packageName);
  if (!version)
    return {
      blocked: `cannot tell the installed version from CSV ${csv.name} (spec.version ${csv.version})`,
    };
  return { version, subscription };
}

/** The problems found (undefined when none), and the instances verify must find healthy again. */
export async function checkPrerequisites(
  client: ClusterClient,
  headroom: CapacityThresholds,
): Promise<{ problems: string | undefined; instances: InstanceRef[] }> {
  const [instances, capacity, pvcs] = await Promise.all([
    client.listRedisInstances(),
    client.readCapacity(),
    client.listPvcs(),
  ]);
  const findings = [
    ...checkInstances(instances),
    ...checkCapacity(capacity, headroom),
    ...checkPvcs(pvcs, instances),
  ];
  const problems =
    findings.length === 0
      ? undefined
      : summarizeFindings('prerequisites not met, nothing was changed', findings);
  return { problems, instances: instances.map(instanceRef) };
}

async function validateStep(deps: ValidateDeps, context: PlanningContext): Promise<StepOutcome> {
  const job = context.job;
  const { record, client } = await context.cluster();
  const installed = await readInstalled(client, deps.catalog.package);
  if ('blocked' in installed) return { kind: 'transition', to: 'blocked', reason: installed.blocked };
  const platform = record.platformVersion ?? (await client.readPlatformVersion());
  let facts: JobFacts = {
    fromVersion: installed.version,
    ...(platform ? { platformVersion: platform } : {}),
  };
  try {
    const plan = planUpgrade(deps.catalog, installed.version, job.targetVersion, {
      ...(platform ? { platform } : {}),
      ...(job.options.includePrerelease ? { includePrerelease: true } : {}),
    });
    facts = { ...facts, plan: plan.hops };
  } catch (error) {
    if (!(error instanceof PlanError)) throw error;
    const reason = `no supported upgrade path from ${installed.version} to ${job.targetVersion}: ${error.message}`;
    return { kind: 'transition', to: 'blocked', reason, facts };
  }
  const hops = facts.plan ?? [];
  if (hops.length === 0) {
    return {
      kind: 'transition',
      to: 'succeeded',
      reason: `cluster already runs ${installed.version}`,
      facts,
    };
  }
  const foreign = checkForeignPendingPlans(
    await client.listInstallPlans(installed.subscription.namespace),
    deps.catalog.package,
  );
  if (foreign) return { kind: 'transition', to: 'blocked', reason: foreign, facts };
  const { problems, instances } = await checkPrerequisites(client, context.config.headroom);
  if (problems) return { kind: 'transition', to: 'blocked', reason: problems, facts };
  facts = { ...facts, instances };
  const path = [installed.version, ...hops.map((hop) => hop.to)].join(' -> ');
  return {
    kind: 'transition',
    to: 'checking-backup',
    reason: `plan ${path} (${hops.length} hop${hops.length === 1 ? '' : 's'}); instances, capacity and PVCs are fine`,
    facts,
  };
}

export function makeValidateStage(deps: ValidateDeps): StageHandler {
  return makePlanningStage(deps, (context) => validateStep(deps, context));
}
