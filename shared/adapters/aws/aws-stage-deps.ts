/**
 * What the stage functions that read the catalog need on AWS (validate, patch-subscription; the
 * API and the rollout build on it): the cluster stages' ports (aws-cluster-stage-deps.ts) and the
 * catalog. The upload function adds the artifact store and violet (aws-upload-deps.ts); nobody
 * else loads lib-storage.
 */
import { withCatalog } from './aws-catalog-deps.ts';
import { buildClusterStageDeps } from './aws-cluster-stage-deps.ts';
import type { AwsRuntimeConfig } from './aws-config.ts';
import { systemClock } from './aws-core-deps.ts';
import type { Observed } from './lambda-observability.ts';

export function buildStageDeps(config: AwsRuntimeConfig, observed: Observed, clock = systemClock) {
  return withCatalog(buildClusterStageDeps(config, observed, clock), config, observed, undefined, clock);
}

export type StageDepsOnAws = ReturnType<typeof buildStageDeps>;
