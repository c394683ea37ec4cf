/**
 * Everything a stage function may need on AWS: the core ports plus the cluster gateway over
 * kubeconfigs from Secrets Manager, the S3 artifact store, the package downloader and violet,
 * each built on first read (only the upload function has the artifact bucket bound).
 */
import { KubeClusterGateway } from '#adapters/kube/kube-cluster-gateway.ts';
import { kubeConfigFromText } from '#adapters/kube/kube-config-text.ts';
import { VioletUploader } from '#adapters/kube/violet-uploader.ts';
import { HttpArtifactDownloader } from '#adapters/local/http-artifact-downloader.ts';
import { makeAwsClients } from './aws-clients.ts';
import { type AwsRuntimeConfig, required } from './aws-config.ts';
import { buildCoreDeps, lazily, systemClock } from './aws-core-deps.ts';
import { AWS_ENV } from './aws-env.ts';
import type { Observed } from './lambda-observability.ts';
import { S3ArtifactStore } from './s3-artifact-store.ts';
import { secretsManagerKubeconfigs } from './secrets-kubeconfig.ts';

export function buildStageDeps(
  config: AwsRuntimeConfig,
  observed: Observed,
  clients = makeAwsClients(),
  clock = systemClock,
) {
  const core = buildCoreDeps(config, observed, clients, clock);
  const kubeconfigs = secretsManagerKubeconfigs({
    client: clients.secrets,
    clock,
    ttlMs: config.kubeconfigTtlSeconds * 1000,
  });
  const gateway = new KubeClusterGateway(kubeConfigFromText(kubeconfigs));
  const withArtifacts = lazily(
    Object.assign(core, {
      gateway,
      downloader: new HttpArtifactDownloader(config.artifactCaPem ? { ca: config.artifactCaPem } : {}),
    }),
    'artifacts',
    () =>
      new S3ArtifactStore({ client: clients.s3, bucket: required(config.bucketName, AWS_ENV.bucketName) }),
  );
  return lazily(
    withArtifacts,
    'uploader',
    () =>
      new VioletUploader({
        violet: config.violetPath,
        target: (cluster) => gateway.platformTarget(cluster),
        timeoutMs: config.violetTimeoutSeconds * 1000,
      }),
  );
}

export type StageDepsOnAws = ReturnType<typeof buildStageDeps>;
