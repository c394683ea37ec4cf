/**
 * Builds the five stage handlers from their factories with the local runtime's adapters, and the
 * default way to reach clusters (kubeconfig contexts, `violet push`).
 */
import { KubeClusterGateway, kubeConfigFromFile } from '#adapters/kube/kube-cluster-gateway.ts';
import { VioletUploader } from '#adapters/kube/violet-uploader.ts';
import type { Catalog } from '#domain/catalog.ts';
import { STAGE_NAMES, type StageName } from '#domain/job.ts';
import type { Config } from '#shared/config.ts';
import { asLog, type Logger } from '#shared/logger.ts';
import type { ArtifactDownloader, ArtifactStore, ClusterGateway, PackageUploader } from '#shared/ports.ts';
import { makeCheckBackupStage } from '#usecases/check-backup.ts';
import { makePatchSubscriptionStage } from '#usecases/patch-subscription.ts';
import type { PipelineConfigInput } from '#usecases/pipeline-config.ts';
import type { StageDeps, StageHandler } from '#usecases/stage-runner.ts';
import { makeUploadPackageStage } from '#usecases/upload-package.ts';
import { makeValidateStage } from '#usecases/validate.ts';
import { makeVerifyStage } from '#usecases/verify.ts';

export interface ClusterAccess {
  gateway: ClusterGateway;
  uploader: PackageUploader;
}

export function makeClusterAccess(config: Config, overrides: Partial<ClusterAccess> = {}): ClusterAccess {
  let kube: KubeClusterGateway | undefined;
  const kubeGateway = () => {
    kube ??= new KubeClusterGateway(kubeConfigFromFile(config.kubeconfigPath));
    return kube;
  };
  return {
    gateway: overrides.gateway ?? kubeGateway(),
    uploader:
      overrides.uploader ??
      new VioletUploader({
        violet: config.violetPath,
        target: (cluster) => kubeGateway().platformTarget(cluster),
        timeoutMs: config.uploadTimeoutSeconds * 1000,
      }),
  };
}

export function pipelineConfigOf(config: Config): PipelineConfigInput {
  const poll = config.stagePollSeconds;
  return {
    stageDeadlinesSeconds: config.stageDeadlinesSeconds,
    backupMaxAgeSeconds: config.backupMaxAgeSeconds,
    headroom: config.headroom,
    ...(poll === undefined
      ? {}
      : { pollSeconds: Object.fromEntries(STAGE_NAMES.map((stage) => [stage, poll])) }),
    ...(config.retrySeconds === undefined ? {} : { retrySeconds: config.retrySeconds }),
    ...(config.maxRetrySeconds === undefined ? {} : { maxRetrySeconds: config.maxRetrySeconds }),
    claimLeaseSeconds: config.claimLeaseSeconds,
  };
}

export interface LocalStageDeps extends Omit<StageDeps, 'log'> {
  catalog: Catalog;
  artifacts: ArtifactStore;
  downloader: ArtifactDownloader;
  uploader: PackageUploader;
  log: Logger;
}

export function makeStages(deps: LocalStageDeps): Record<StageName, StageHandler> {
  const withLog = (stage: StageName) => ({
    ...deps,
    log: asLog(deps.log.createChild({ persistentKeys: { component: 'stage', stage } })),
  });
  return {
    validate: makeValidateStage(withLog('validate')),
    'check-backup': makeCheckBackupStage(withLog('check-backup')),
    'upload-package': makeUploadPackageStage(withLog('upload-package')),
    'patch-subscription': makePatchSubscriptionStage(withLog('patch-subscription')),
    verify: makeVerifyStage(withLog('verify')),
  };
}
