/**
 * What a stage function that reaches clusters but never reads the catalog needs on AWS
 * (check-backup, verify): the core ports and the cluster gateway over kubeconfigs from Secrets
 * Manager. Its own file, so those bundles never import the S3 client (35-40 ms of a cold import).
 */
import { KubeClusterGateway } from '#adapters/kube/kube-cluster-gateway.ts';
import { kubeConfigFromText } from '#adapters/kube/kube-config-text.ts';
import type { AwsRuntimeConfig } from './aws-config.ts';
import { buildCoreDeps, systemClock } from './aws-core-deps.ts';
import type { Observed } from './lambda-observability.ts';
import { makeSecretsClient, secretsManagerKubeconfigs } from './secrets-kubeconfig.ts';

export function buildClusterStageDeps(config: AwsRuntimeConfig, observed: Observed, clock = systemClock) {
  const core = buildCoreDeps(config, observed, undefined, clock);
  const secrets = makeSecretsClient();
  observed.tracer.captureAWSv3Client(secrets);
  const kubeconfigs = secretsManagerKubeconfigs({
    client: secrets,
    clock,
    ttlMs: config.kubeconfigTtlSeconds * 1000,
  });
  return Object.assign(core, { gateway: new KubeClusterGateway(kubeConfigFromText(kubeconfigs)) });
}
