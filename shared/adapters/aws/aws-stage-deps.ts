/**
 * What the cluster-reading stage functions need on AWS (validate, check-backup,
 * patch-subscription, verify): the core ports, the catalog, and the cluster gateway over
 * kubeconfigs from Secrets Manager. The upload function adds the artifact store and violet
 * (aws-upload-deps.ts); nobody else loads lib-storage.
 */
import { KubeClusterGateway } from '#adapters/kube/kube-cluster-gateway.ts';
import { kubeConfigFromText } from '#adapters/kube/kube-config-text.ts';
import { withCatalog } from './aws-catalog-deps.ts';
import type { AwsRuntimeConfig } from './aws-config.ts';
import { buildCoreDeps, systemClock } from './aws-core-deps.ts';
import type { Observed } from './lambda-observability.ts';
import { makeSecretsClient, secretsManagerKubeconfigs } from './secrets-kubeconfig.ts';

export function buildStageDeps(config: AwsRuntimeConfig, observed: Observed, clock = systemClock) {
  const core = withCatalog(
    buildCoreDeps(config, observed, undefined, clock),
    config,
    observed,
    undefined,
    clock,
  );
  const secrets = makeSecretsClient();
  observed.tracer.captureAWSv3Client(secrets);
  const kubeconfigs = secretsManagerKubeconfigs({
    client: secrets,
    clock,
    ttlMs: config.kubeconfigTtlSeconds * 1000,
  });
  return Object.assign(core, { gateway: new KubeClusterGateway(kubeConfigFromText(kubeconfigs)) });
}

export type StageDepsOnAws = ReturnType<typeof buildStageDeps>;
