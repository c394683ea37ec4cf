/**
 * Stage `verify`: waits (delayed re-enqueue, deadline) until the hop's CSV is Succeeded and the
 * Subscription's installedCSV names it and every Redis instance is healthy again (each one validate
 * found must still be there: a lost instance is not a healthy one); then the next
 * hop (back to upload) or `succeeded`. A Failed CSV or InstallPlan fails the job with the
 * cluster's own message; so does the deadline, with what it was still waiting for.
 */

import type { CsvView, SubscriptionView } from '#domain/cluster-views.ts';
import { checkInstances, checkInstancesPresent, summarizeFindings } from '#domain/prerequisites.ts';
import { instanceRef } from '#domain/redis-instance.ts';
import type { ClusterClient } from '#shared/ports.ts';
import { makeHopStage, type StageDeps, type StageHandler } from '#usecases/stage-runner.ts';
import type { HopContext, StepOutcome } from '#usecases/stage-step.ts';

export type VerifyDeps = StageDeps;

async function failedInstallPlan(
  client: ClusterClient,
  subscription: SubscriptionView,
  csv: string,
): Promise<string | undefined> {
  const ref = subscription.installPlanRef;
  if (!ref) return undefined;
  const plan = await client.readInstallPlan(ref.name, ref.namespace);
  if (plan?.phase !== 'Failed' || !plan.csvNames.includes(csv)) return undefined;
  return `InstallPlan ${plan.namespace}/${plan.name} for ${csv} Failed: ${plan.message ?? 'no message'}`;
}

/**
 * Whether a Failed InstallPlan could be what holds the CSV. The CSV's requirements (its CRDs and
 * permissions) are objects its plan creates; a CSV that met them (InstallReady, Installing) goes on
 * to Succeeded or Failed by itself, so reading the plan on each of those polls explains nothing.
 */
function planMayHaveFailed(csv: CsvView | undefined): boolean {
  return csv === undefined || csv.phase === undefined || csv.phase === 'Pending';
}

/**
 * The CSV first: while it is unsettled the wait wakes on its phase, and while it is missing or
 * Pending a Failed InstallPlan of the Subscription's would explain it. Once Succeeded, the
 * instances, then installedCSV must name it: a look that finds the new operator still rolling
 * instances (most first looks) ends there, without reading the Subscription.
 */
async function verifyStep(context: HopContext): Promise<StepOutcome> {
  const hop = context.hop;
  const { client } = await context.cluster();
  const csv = await client.readCsv(hop.csv);
  if (csv?.phase === 'Failed') {
    return { kind: 'transition', to: 'failed', reason: `${hop.csv} Failed: ${csv.message ?? 'no message'}` };
  }
  if (csv?.phase !== 'Succeeded') {
    const planFailure = planMayHaveFailed(csv)
      ? await failedInstallPlan(client, await client.readSubscription(), hop.csv)
      : undefined;
    if (planFailure) return { kind: 'transition', to: 'failed', reason: planFailure };
    return {
      kind: 'wait',
      reason: `${hop.csv} is ${csv?.phase ?? 'not created yet'}, waiting for Succeeded`,
      wakeOn: { kind: 'csv-settled', csv: hop.csv },
    };
  }
  const instances = await client.listRedisInstances();
  const unhealthy = [
    ...checkInstancesPresent(context.job.instances, instances),
    ...checkInstances(instances),
  ];
  if (unhealthy.length > 0) {
    // The new operator rolls its instances together: the first one back is worth a look.
    const rolling = instances.find((instance) => !instance.healthy);
    return {
      kind: 'wait',
      reason: summarizeFindings(`${hop.csv} Succeeded; waiting for Redis instances`, unhealthy),
      ...(rolling ? { wakeOn: { kind: 'instance-healthy', instance: instanceRef(rolling) } as const } : {}),
    };
  }
  const subscription = await client.readSubscription();
  if (subscription.installedCSV !== hop.csv) {
    return {
      kind: 'wait',
      reason: `${hop.csv} Succeeded; waiting for the Subscription's installedCSV (${subscription.installedCSV ?? 'unset'}) to name it`,
    };
  }
  return { kind: 'complete-hop' };
}

export function makeVerifyStage(deps: VerifyDeps): StageHandler {
  return makeHopStage('verify', deps, verifyStep);
}
