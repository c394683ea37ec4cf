/**
 * Stage `upload-package`: gets the hop's package into the artifact store (once per version, see
 * #usecases/ensure-artifact.ts), pushes it to the cluster through the PackageUploader, then waits
 * by delayed re-enqueue for ArtifactVersion `<package>.v<version>` to report `Success`.
 *
 * The push is claimed first (#usecases/claim.ts), so a message delivered twice pushes once. On a
 * subscription with Automatic approval OLM installs as soon as the upload syncs: the push is that
 * hop's point of no return, marked before pushing; the gates ran before it.
 */
import type { Catalog } from '#domain/catalog.ts';
import type { SubscriptionView } from '#domain/cluster-views.ts';
import { ValidationError } from '#domain/errors.ts';
import type { Hop } from '#domain/planner.ts';
import type { WakeCondition } from '#domain/wake-condition.ts';
import type { ArtifactDownloader, ArtifactStore, PackageUploader } from '#shared/ports.ts';
import { runClaimed } from '#usecases/claim.ts';
import { artifactRef, type EnsureArtifact, makeEnsureArtifact } from '#usecases/ensure-artifact.ts';
import { makeHopStage, type StageDeps, type StageHandler } from '#usecases/stage-runner.ts';
import type { HopContext, StepOutcome } from '#usecases/stage-step.ts';

export interface UploadPackageDeps extends StageDeps {
  catalog: Catalog;
  artifacts: ArtifactStore;
  downloader: ArtifactDownloader;
  uploader: PackageUploader;
}

export function artifactVersionName(packageName: string, version: string): string {
  return `${packageName}.v${version}`;
}

/**
 * patch-subscription's first look waits for the catalog sync (minutes), unless the package was on
 * the cluster before this visit pushed anything: its sync began earlier, and may be over. On the
 * Subscription's own channel it waits for what follows the sync within seconds, OLM's InstallPlan
 * for the hop, unpacked: woken by the catalog alone, the look mostly came before the plan and had
 * to wait again. A hop to another channel waits for the catalog, since OLM plans it only once
 * patch-subscription has moved the Subscription there.
 */
function uploaded(
  context: HopContext,
  packageName: string,
  artifactVersion: string,
  subscription: SubscriptionView,
): StepOutcome {
  const { hop } = context;
  const pushed = context.job.step?.doneAt !== undefined;
  const wakeOn: WakeCondition =
    subscription.channel === hop.channel
      ? { kind: 'plan-ready', csv: hop.csv }
      : { kind: 'channel-offers', packageName, channel: hop.channel, csv: hop.csv };
  return {
    ...(pushed ? {} : { setOff: false as const }),
    kind: 'transition',
    to: 'patching',
    reason: `package ${hop.to} is on the cluster (ArtifactVersion ${artifactVersion} reports Success)`,
    ...(subscription.approval === 'Automatic' ? { facts: { noReturnHop: context.job.hop } } : {}),
    wakeOn,
  };
}

function checksumFailure(hop: Hop, error: ValidationError): StepOutcome {
  return {
    kind: 'transition',
    to: 'failed',
    reason:
      `package ${hop.artifact.url} failed its sha256 check (catalog: ${hop.artifact.sha256}); nothing was kept ` +
      `or pushed. Fix the catalog entry or the download source. ${error.message}`,
  };
}

async function uploadStep(
  deps: UploadPackageDeps,
  ensure: EnsureArtifact,
  context: HopContext,
): Promise<StepOutcome> {
  const { hop } = context;
  const { record, client } = await context.cluster();
  const artifactVersion = artifactVersionName(deps.catalog.package, hop.to);
  const subscription = await client.readSubscription();
  const automatic = subscription.approval === 'Automatic';
  const reason = await client.readArtifactVersionReason(artifactVersion);
  if (reason === 'Success') return uploaded(context, deps.catalog.package, artifactVersion, subscription);
  const waiting = (status: string | undefined) =>
    `ArtifactVersion ${artifactVersion} reports ${status ?? 'no status yet'}; waiting for Success`;
  if (context.job.step?.doneAt) return { kind: 'wait', reason: waiting(reason) };

  const ref = artifactRef(deps.catalog, hop);
  try {
    await ensure(ref, hop.artifact.url);
  } catch (error) {
    if (error instanceof ValidationError && error.code === 'CHECKSUM_MISMATCH')
      return checksumFailure(hop, error);
    throw error;
  }
  const claim = await runClaimed(
    context,
    async () => {
      context.log.info('pushing package', { file: ref.fileName, automatic });
      await deps.uploader.push(await deps.artifacts.localPath(ref), record);
      return undefined;
    },
    { noReturn: automatic, doing: `pushing ${ref.fileName} to cluster ${record.name} with violet` },
  );
  if (claim.status === 'held') {
    return {
      kind: 'defer',
      reason: `another worker is at it: ${claim.holder}`,
      delaySeconds: claim.retryInSeconds,
    };
  }
  const after = await client.readArtifactVersionReason(artifactVersion);
  if (after === 'Success') return uploaded(context, deps.catalog.package, artifactVersion, subscription);
  return { kind: 'wait', reason: `pushed ${ref.fileName}; ${waiting(after)}` };
}

export function makeUploadPackageStage(deps: UploadPackageDeps): StageHandler {
  const ensure = makeEnsureArtifact(deps.artifacts, deps.downloader);
  return makeHopStage('upload-package', deps, (context) => uploadStep(deps, ensure, context));
}
