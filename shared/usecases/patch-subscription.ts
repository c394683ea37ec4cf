/**
 * Stage `patch-subscription`: waits (delayed re-enqueue, deadline) until the PackageManifest
 * offers the hop's CSV, moves the Subscription to the hop's channel when it differs, then finds
 * the InstallPlan and approves it only when #domain/install-plan-gate.ts says so: phase
 * RequiresApproval, its bundle unpacked, a CSV list of exactly the hop target. Merged plans and
 * plans beyond the target block the job, never approved, naming OLM's edge; a plan whose bundle
 * did not unpack fails it. When OLM resolves nothing for the hop (ResolutionFailed, or staying at
 * the installed CSV: no bundle of the channel replaces it), the stage gives OLM RESOLUTION_POLLS
 * polls to catch up, then fails with OLM's reason. Automatic subscriptions need no approval.
 *
 * The approval is the hop's point of no return on Manual subscriptions: it is marked on the job
 * (conditional write) before approving, and the approval itself is guarded by the plan's
 * resourceVersion, so a message delivered twice approves once and a changed plan is re-examined.
 */
import type { Catalog } from '#domain/catalog.ts';
import type { InstallPlanView, PackageChannelView, SubscriptionView } from '#domain/cluster-views.ts';
import { NotFoundError } from '#domain/errors.ts';
import { decideInstallPlan } from '#domain/install-plan-gate.ts';
import { channelMoveNote, formatDelay } from '#domain/job-progress.ts';
import type { Hop } from '#domain/planner.ts';
import type { WakeCondition } from '#domain/wake-condition.ts';
import type { ClusterClient } from '#shared/ports.ts';
import { makeHopStage, type StageDeps, type StageHandler } from '#usecases/stage-runner.ts';
import type { HopContext, StepOutcome } from '#usecases/stage-step.ts';

export interface PatchSubscriptionDeps extends StageDeps {
  catalog: Catalog;
}

/**
 * OLM answers a catalog or Subscription change within seconds; this many polls (5 minutes at the
 * default 30 s) of it resolving nothing for an offered CSV mean it found no edge to it.
 */
export const RESOLUTION_POLLS = 10;

/** The Subscription's namespace's plans, plus the one its installPlanRef names if elsewhere. */
async function installPlans(
  client: ClusterClient,
  subscription: SubscriptionView,
): Promise<InstallPlanView[]> {
  const plans = await client.listInstallPlans(subscription.namespace);
  const ref = subscription.installPlanRef;
  if (ref && !plans.some((plan) => plan.name === ref.name && plan.namespace === ref.namespace)) {
    const referenced = await client.readInstallPlan(ref.name, ref.namespace);
    if (referenced) plans.push(referenced);
  }
  return plans;
}

async function approve(
  context: HopContext,
  client: ClusterClient,
  plan: InstallPlanView,
  hop: Hop,
): Promise<StepOutcome> {
  const name = `${plan.namespace}/${plan.name}`;
  await context.progress({ approvedPlan: name }, { noReturn: true });
  context.log.info('approving InstallPlan', { installPlan: name, csv: hop.csv });
  await client.approveInstallPlan(plan);
  return installing(context, `approved InstallPlan ${name} (exactly ${hop.csv})`);
}

/**
 * Once an install is under way the hop is past its point of no return, however it got there.
 * verify's first look waits for the CSV to settle (an install takes minutes).
 */
function installing(context: HopContext, reason: string): StepOutcome {
  return {
    kind: 'transition',
    to: 'verifying',
    reason,
    facts: { noReturnHop: context.job.hop },
    wakeOn: { kind: 'csv-settled', csv: context.hop.csv },
  };
}

/**
 * The channel move is recorded (conditional write) before the patch: a cancel that committed
 * first stops it, and a crash right after the patch still leaves the old channel on record.
 */
async function moveChannel(
  context: HopContext,
  client: ClusterClient,
  subscription: SubscriptionView,
  hop: Hop,
): Promise<StepOutcome> {
  const from = context.job.step?.channelMovedFrom ?? subscription.channel;
  await context.progress({ channelMovedFrom: from });
  context.log.info('moving the Subscription channel', { from: subscription.channel, to: hop.channel });
  await client.patchSubscriptionChannel(hop.channel, subscription.resourceVersion);
  return {
    kind: 'wait',
    reason: `moved the Subscription from channel ${subscription.channel} to ${hop.channel}; waiting for its InstallPlan`,
    delaySeconds: 1,
  };
}

/** A job that ends here after moving the channel says so: the Subscription is not where it was. */
function withChannelNote(context: HopContext, reason: string): string {
  const moved = channelMoveNote(context.job);
  return moved ? `${reason}. Note: ${moved}` : reason;
}

/** A PackageManifest that does not exist yet offers nothing (the first sync has not happened). */
async function packageChannel(
  client: ClusterClient,
  packageName: string,
  channel: string,
): Promise<PackageChannelView> {
  try {
    return await client.readPackageChannel(packageName, channel);
  } catch (error) {
    if (error instanceof NotFoundError) return { offered: [] };
    throw error;
  }
}

/** OLM resolves nothing for the hop: wait RESOLUTION_POLLS polls from the first sighting, then fail. */
async function unresolved(context: HopContext, reason: string): Promise<StepOutcome> {
  const graceSeconds = RESOLUTION_POLLS * context.config.pollSeconds['patch-subscription'];
  const since = context.job.step?.unresolvedSince;
  if (!since) await context.progress({ unresolvedSince: context.now.toISOString() });
  const waited = since ? (context.now.getTime() - Date.parse(since)) / 1000 : 0;
  if (waited >= graceSeconds) {
    return { kind: 'transition', to: 'failed', reason: withChannelNote(context, reason) };
  }
  // OLM answers within seconds when it answers at all: keep to the poll, no backoff.
  return {
    kind: 'wait',
    reason: `${reason}; waiting up to ${formatDelay(graceSeconds)} for OLM to resolve`,
    delaySeconds: context.config.pollSeconds['patch-subscription'],
  };
}

async function patchStep(deps: PatchSubscriptionDeps, context: HopContext): Promise<StepOutcome> {
  const hop = context.hop;
  const { client } = await context.cluster();
  const channel = await packageChannel(client, deps.catalog.package, hop.channel);
  const offered = channel.offered;
  if (!offered.includes(hop.csv)) {
    const offers = offered.length > 0 ? offered.join(', ') : 'nothing';
    return {
      kind: 'wait',
      reason: `PackageManifest ${deps.catalog.package} channel ${hop.channel} does not offer ${hop.csv} yet (offers ${offers})`,
      wakeOn: {
        kind: 'channel-offers',
        packageName: deps.catalog.package,
        channel: hop.channel,
        csv: hop.csv,
      },
    };
  }
  const subscription = await client.readSubscription();
  if (subscription.channel !== hop.channel) return moveChannel(context, client, subscription, hop);
  if (subscription.approval === 'Automatic') {
    return installing(context, `Automatic approval: OLM installs ${hop.csv} by itself`);
  }
  const plans = await installPlans(client, subscription);
  const decision = decideInstallPlan(
    plans,
    { packageName: deps.catalog.package, csv: hop.csv },
    { subscription, channel: hop.channel, head: channel.head },
  );
  switch (decision.action) {
    case 'approve':
      return approve(context, client, decision.plan, hop);
    case 'installing':
      return installing(
        context,
        `InstallPlan ${decision.plan.namespace}/${decision.plan.name} for ${hop.csv} is approved (${decision.plan.phase ?? 'no phase'})`,
      );
    case 'wait': {
      // No plan for the hop yet: OLM makes one within seconds of the catalog offering it.
      const planless = !plans.some((plan) => plan.csvNames.includes(hop.csv));
      const { unpacking } = decision;
      const wakeOn: WakeCondition | undefined = planless
        ? { kind: 'plan-ready', csv: hop.csv }
        : unpacking && { kind: 'plan-unpacked', namespace: unpacking.namespace, name: unpacking.name };
      return { kind: 'wait', reason: decision.reason, ...(wakeOn ? { wakeOn } : {}) };
    }
    case 'unresolved':
      return unresolved(context, decision.reason);
    case 'block':
      return { kind: 'transition', to: 'blocked', reason: withChannelNote(context, decision.reason) };
    case 'fail':
      return { kind: 'transition', to: 'failed', reason: withChannelNote(context, decision.reason) };
    default:
      throw new Error('unexpected InstallPlan decision');
  }
}

export function makePatchSubscriptionStage(deps: PatchSubscriptionDeps): StageHandler {
  return makeHopStage('patch-subscription', deps, (context) => patchStep(deps, context));
}
