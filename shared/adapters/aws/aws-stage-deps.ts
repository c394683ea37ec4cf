/**
 * Everything a stage function needs on AWS: the core adapters plus the cluster gateway over
 * kubeconfigs from Secrets Manager, the S3 catalog, the S3 artifact store and violet.
 */

import { KubeClusterGateway } from '#adapters/kube/kube-cluster-gateway.ts';
import { kubeConfigFromText } from '#adapters/kube/kube-config-text.ts';
import { VioletUploader } from '#adapters/kube/violet-uploader.ts';
import { HttpArtifactDownloader } from '#adapters/local/http-artifact-downloader.ts';
import { makeAwsClients } from './aws-clients.ts';
import { type AwsRuntimeConfig, required } from './aws-config.ts';
import { buildCoreDeps, systemClock } from './aws-core-deps.ts';
import { AWS_ENV } from './aws-env.ts';
import { S3ArtifactStore } from './s3-artifact-store.ts';
import { S3Catalog } from './s3-catalog.ts';
import { secretsManagerKubeconfigs } from './secrets-kubeconfig.ts';

export function buildStageDeps(config: AwsRuntimeConfig, clients = makeAwsClients(), clock = systemClock) {
  const core = buildCoreDeps(config, clients, clock);
  const kubeconfigs = secretsManagerKubeconfigs({
    client: clients.secrets,
    clock,
    ttlMs: config.kubeconfigTtlSeconds * 1000,
  });
  const gateway = new KubeClusterGateway(kubeConfigFromText(kubeconfigs));
  const bucket = () => required(config.bucketName, AWS_ENV.bucketName);
  return {
    ...core,
    gateway,
    catalogSource: () =>
      new S3Catalog({
        client: clients.s3,
        bucket: bucket(),
        key: required(config.catalogKey, AWS_ENV.catalogKey),
        clock,
      }),
    artifactStore: () => new S3ArtifactStore({ client: clients.s3, bucket: bucket() }),
    artifactDownloader: () => new HttpArtifactDownloader(),
    packageUploader: () =>
      new VioletUploader({
        violet: config.violetPath,
        target: (cluster) => gateway.platformTarget(cluster),
        timeoutMs: 10 * 60_000,
      }),
  };
}

export type StageDepsOnAws = ReturnType<typeof buildStageDeps>;
