/**
 * Stage `verify`: waits (delayed re-enqueue, deadline) until the Subscription's installedCSV is
 * the hop target, that CSV is Succeeded and every Redis instance is healthy again (each one validate
 * found must still be there: a lost instance is not a healthy one); then the next
 * hop (back to upload) or `succeeded`. A Failed CSV or InstallPlan fails the job with the
 * cluster's own message; so does the deadline, with what it was still waiting for.
 */

import type { SubscriptionView } from '#domain/cluster-views.ts';
import { checkInstances, checkInstancesPresent, summarizeFindings } from '#domain/prerequisites.ts';
import type { ClusterClient } from '#shared/ports.ts';
import {
  type HopContext,
  makeHopStage,
  type StageDeps,
  type StageHandler,
  type StepOutcome,
} from '#usecases/stage-runner.ts';

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

async function verifyStep(context: HopContext): Promise<StepOutcome> {
  const hop = context.hop;
  const { client } = await context.cluster();
  const [subscription, csv] = await Promise.all([client.readSubscription(), client.readCsv(hop.csv)]);
  if (csv?.phase === 'Failed') {
    return { kind: 'transition', to: 'failed', reason: `${hop.csv} Failed: ${csv.message ?? 'no message'}` };
  }
  if (subscription.installedCSV !== hop.csv) {
    const planFailure = await failedInstallPlan(client, subscription, hop.csv);
    if (planFailure) return { kind: 'transition', to: 'failed', reason: planFailure };
    return {
      kind: 'wait',
      reason: `installedCSV is ${subscription.installedCSV ?? 'unset'}, waiting for ${hop.csv} (CSV ${csv?.phase ?? 'not created yet'})`,
    };
  }
  if (csv?.phase !== 'Succeeded') {
    return {
      kind: 'wait',
      reason: `${hop.csv} is ${csv?.phase ?? 'not created yet'}, waiting for Succeeded`,
    };
  }
  const instances = await client.listRedisInstances();
  const unhealthy = [
    ...checkInstancesPresent(context.job.instances, instances),
    ...checkInstances(instances),
  ];
  if (unhealthy.length > 0) {
    return {
      kind: 'wait',
      reason: summarizeFindings(`${hop.csv} Succeeded; waiting for Redis instances`, unhealthy),
    };
  }
  return { kind: 'complete-hop' };
}

export function makeVerifyStage(deps: VerifyDeps): StageHandler {
  return makeHopStage('verify', deps, verifyStep);
}
