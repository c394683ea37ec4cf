/**
 * What the local runtime gives the stages beyond its database: the default way to reach clusters
 * (kubeconfig contexts, `violet push`) and the stages' timing settings from its configuration.
 */
import { KubeClusterGateway } from '#adapters/kube/kube-cluster-gateway.ts';
import { kubeConfigFromFile } from '#adapters/kube/kube-config-file.ts';
import { VIOLET_GUARD, VioletUploader } from '#adapters/kube/violet-uploader.ts';
import { invocationDeadline } from '#adapters/record-processor.ts';
import { STAGE_NAMES } from '#domain/job.ts';
import type { Config } from '#shared/config.ts';
import type { ClusterGateway, PackageUploader } from '#shared/ports.ts';
import type { PipelineConfigInput } from '#usecases/pipeline-config.ts';

export interface ClusterAccess {
  gateway: ClusterGateway;
  uploader: PackageUploader;
}

/**
 * `close` closes the pools of the gateway built here (a stopping runtime); a gateway passed in is
 * its owner's to close.
 */
export function makeClusterAccess(
  config: Config,
  overrides: Partial<ClusterAccess> = {},
): ClusterAccess & { close(): Promise<void> } {
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
        // Within its batch's budget (startPollers), as on AWS within the invocation.
        deadline: invocationDeadline,
        // A push must not outlive this process: a runtime killed mid-push must not leave it running.
        guard: VIOLET_GUARD,
      }),
    close: async () => kube?.close(),
  };
}

export function pipelineConfigOf(config: Config): PipelineConfigInput {
  const poll = config.stagePollSeconds;
  return {
    stageDeadlinesSeconds: config.stageDeadlinesSeconds,
    backupMaxAgeSeconds: config.backupMaxAgeSeconds,
    headroom: config.headroom,
    rollout: config.rollout,
    ...(poll === undefined
      ? {}
      : { pollSeconds: Object.fromEntries(STAGE_NAMES.map((stage) => [stage, poll])) }),
    ...(config.retrySeconds === undefined ? {} : { retrySeconds: config.retrySeconds }),
    ...(config.maxRetrySeconds === undefined ? {} : { maxRetrySeconds: config.maxRetrySeconds }),
    claimLeaseSeconds: config.claimLeaseSeconds,
  };
}
